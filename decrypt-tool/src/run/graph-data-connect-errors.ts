/**
 * Plain words for the failures a Graph Data Connect copy commonly ends with. Microsoft documents the
 * causes but not the exact error texts, so each entry matches words that the documented statuses and
 * messages carry; the activity's own error is always printed next to the explanation. Sources per entry
 * (also listed in docs/viva-drop.md, "When a run fails").
 */
export interface GraphDataConnectExplanation {
  /** Short name of the cause, stable for programs (`--json`). */
  cause: "consentPending" | "consentMissing" | "appNotRegistered" | "dataConnectDisabled" | "regionMismatch" | "keyProblem" | "clientSecret" | "storageAccess";
  /** What happened and what to do, in one sentence. */
  explanation: string;
}

interface Entry extends GraphDataConnectExplanation {
  matches: RegExp;
}

const ENTRIES: Entry[] = [
  {
    // "RequestingConsent" / "ConsentPending": ADF connector-office-365 doc ("Approving new data access requests");
    // OfficeDev/MS-Graph-Data-Connect Common-Data-Model/README.md; the 24 h expiry: microsoft-graph-docs PR #21092.
    cause: "consentPending",
    matches: /consent\s*pending|requesting\s*consent|pending\s+(admin\s+)?(approval|consent)/i,
    explanation:
      "the customer's Microsoft 365 admin has not approved the data access request yet: a global admin approves the app in the Microsoft 365 admin center (Settings > Org settings > Security & privacy > Microsoft Graph Data Connect applications); a request expires after 24 hours and the next run asks again",
  },
  {
    // Approval must cover the requested datasets and columns, and is renewed by approving again
    // (microsoft-graph-docs-contrib concepts/app-authorization.md, data-connect-troubleshooting.md "Renewing an application consent").
    cause: "consentMissing",
    matches: /consent\s*not\s*found|not\s+consented|consent\s+(has\s+)?(expired|revoked|declined|denied)|no\s+(valid\s+)?consent/i,
    explanation:
      "no approval covers this request: the customer's admin declined or revoked it, it expired (approvals last 180 days), or the app's datasets or columns changed after approval; the admin must approve the app again",
  },
  {
    // Apps are registered in the Azure portal's Microsoft Graph Data Connect experience and authorized per
    // tenant (microsoft-graph-docs-contrib concepts/app-registration.md, app-authorization.md).
    cause: "appNotRegistered",
    matches: /\b(application|app)\b[^.]*\bnot\s+(been\s+)?(registered|allow-?listed|whitelisted|approved|authori[sz]ed)|not\s+(registered|allow-?listed|whitelisted)\s+(with|for|in)\s+(microsoft\s+graph\s+)?data\s*connect/i,
    explanation:
      "the application is not registered with Microsoft Graph Data Connect (Azure portal > Microsoft Graph Data Connect) or this customer's admin has not authorized it for their tenant",
  },
  {
    // The tenant must opt in first (OfficeDev/MS-Graph-Data-Connect wiki FAQ; app-registration.md:
    // "If Microsoft Graph Data Connect hasn't been enabled by your admin, the portal experience is disabled").
    cause: "dataConnectDisabled",
    matches: /data\s*connect\b.*not\s+(been\s+)?(enabled|opted)|not\s+opted\s+in|(tenant|organization)\b.*not\s+(been\s+)?enabled/i,
    explanation:
      "Microsoft Graph Data Connect is not enabled in the customer's tenant: their admin turns it on in the Microsoft 365 admin center (Settings > Org settings > Microsoft Graph Data Connect)",
  },
  {
    // The factory's and the storage's Azure region must map to the tenant's Microsoft 365 region
    // (microsoft-graph-docs-contrib concepts/data-connect-troubleshooting.md, "Multi-geo" and the region
    // table; ADF connector-office-365 doc, "Important"; field notes).
    cause: "regionMismatch",
    matches: /\b(region|geo)\b[^.]*\b(mismatch|not\s+match|differ|not\s+(supported|allowed))|\b(mismatch|different|another)\b[^.]*\bregion|cross[-\s]?region/i,
    explanation:
      "the Data Factory or the storage account is in an Azure region that does not map to the customer's Microsoft 365 region: deploy the tenant to a region of its Office geography (tenant location in the stack config)",
  },
  {
    // Entra ID sign-in errors of the app (AADSTS7000215 invalid secret, AADSTS7000222 expired secret:
    // learn.microsoft.com/entra/identity-platform/reference-error-codes).
    cause: "clientSecret",
    matches: /AADSTS7000215|AADSTS7000222|invalid\s+client\s+secret|client\s+secret\b.*expired/i,
    explanation:
      "the app's client secret is wrong or expired: rotate it (appSecretEndDate in the stack config) and run pulumi up so the factory's Key Vault secret is updated",
  },
  {
    // The tenant's key: RSA 2048 with an expiration date, named after the tenant id, readable by the app's
    // service principal (Key Vault Crypto User), vault reachable publicly (concepts/data-connect-custom-encryption.md).
    cause: "keyProblem",
    matches: /key\s*vault|public\s+key|encryption\s+key|\bkey\b.*(expired|not\s+found|disabled|invalid|missing)|(expired|invalid|missing)\s+key/i,
    explanation:
      "Graph Data Connect could not use the tenant's RSA key: it must be an enabled RSA 2048 key named after the tenant id with an expiration date in the future, the app's service principal needs Key Vault Crypto User on it, and the vault must allow public network access",
  },
  {
    // The copy writes with the app's service principal (field notes; ADF connector-office-365 doc: service
    // principal authentication only). Storage answers AuthorizationPermissionMismatch / AuthorizationFailure
    // (Azure Storage REST error codes).
    cause: "storageAccess",
    matches: /AuthorizationPermissionMismatch|AuthorizationFailure|not\s+authorized\s+to\s+perform\s+this\s+operation/i,
    explanation:
      "the app's service principal may not write to the tenant's container: it needs Storage Blob Data Contributor on the storage account, and the account must accept the copy's network access",
  },
];

/** The plain explanation of a failed copy's error text, when it matches a known Graph Data Connect cause. */
export function explainGraphDataConnectError(text: string): GraphDataConnectExplanation | undefined {
  const entry = ENTRIES.find((candidate) => candidate.matches.test(text));
  return entry ? { cause: entry.cause, explanation: entry.explanation } : undefined;
}

/** An Azure naming rule: a test and the words that explain it in an error. */
export interface NameRule {
  test: (name: string) => boolean;
  rule: string;
}

export const STORAGE_ACCOUNT_NAME: NameRule = {
  test: (n) => /^[a-z0-9]{3,24}$/.test(n),
  rule: "storage account names are 3-24 lowercase letters and digits, unique across Azure",
};

export const VAULT_NAME: NameRule = {
  test: (n) => /^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/.test(n) && !n.includes("--"),
  rule: "vault names are 3-24 letters, digits and single hyphens, starting with a letter and ending with a letter or digit",
};

export const FACTORY_NAME: NameRule = {
  test: (n) => /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{1,61})[a-zA-Z0-9]$/.test(n) && !n.includes("--"),
  rule: "data factory names are 3-63 letters, digits and single hyphens, starting and ending with a letter or digit, unique across Azure",
};

export const RESOURCE_GROUP_NAME: NameRule = {
  test: (n) => /^[-\w.()]{1,90}$/.test(n) && !n.endsWith("."),
  rule: "resource group names are 1-90 letters, digits, '-', '_', '.', '(' or ')', not ending with '.'",
};

/** The stack name reduced to lowercase letters, digits and single hyphens, for use inside Azure names. */
export function stackSlug(stack: string): string {
  return stack
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** Default names: every one carries the stack, so two stacks never fight over a (soft-deleted) name. */
export function defaultNames(namePrefix: string, stack: string) {
  const slug = stackSlug(stack);
  return {
    resourceGroupName: `${namePrefix}-${slug}-rg`,
    storageAccountName: `${namePrefix}${slug.replace(/-/g, "")}`,
    vaultName: `${namePrefix}-${slug}-kv`,
    factoryNamePrefix: `${namePrefix}-${slug}`,
  };
}

/** Data factory name of a tenant: the prefix plus the tenant GUID (factory names are global). */
export function factoryNameFor(prefix: string, tenantId: string): string {
  return `${prefix}-${tenantId}`;
}

import type { ResourceValidationPolicy } from "@pulumi/policy";
import { reportProperty, shown } from "./report";
import { TYPES } from "./resource-types";

/** TLS versions a storage account may require as its minimum. */
export const ACCEPTED_TLS_VERSIONS: readonly string[] = ["TLS1_2", "TLS1_3"];

/**
 * Every storage account (one per region) is ADLS Gen2, HTTPS only with TLS 1.2 or later, has no
 * public blobs and accepts no account keys: drops are read and written with Entra ID only.
 */
export const storageAccountLockedDown: ResourceValidationPolicy = {
  name: "storage-account-locked-down",
  description: "Storage accounts: hierarchical namespace, HTTPS only, TLS 1.2 or later, no public blob access, shared key access off.",
  enforcementLevel: "mandatory",
  severity: "high",
  validateResource: (args, report) => {
    if (args.type !== TYPES.storageAccount) return;
    const props = args.props;
    if (props.isHnsEnabled !== true) reportProperty(report, "isHnsEnabled", `must be true (ADLS Gen2, as Graph Data Connect writes it), is ${shown(props.isHnsEnabled)}`);
    if (props.enableHttpsTrafficOnly !== true) reportProperty(report, "enableHttpsTrafficOnly", `must be true, is ${shown(props.enableHttpsTrafficOnly)}`);
    if (!ACCEPTED_TLS_VERSIONS.includes(props.minimumTlsVersion as string)) {
      reportProperty(report, "minimumTlsVersion", `must be ${ACCEPTED_TLS_VERSIONS.join(" or ")}, is ${shown(props.minimumTlsVersion)}`);
    }
    if (props.allowBlobPublicAccess !== false) reportProperty(report, "allowBlobPublicAccess", `must be false, is ${shown(props.allowBlobPublicAccess)}`);
    if (props.allowSharedKeyAccess !== false) reportProperty(report, "allowSharedKeyAccess", `must be false (Entra ID only), is ${shown(props.allowSharedKeyAccess)}`);
  },
};

import type { ResourceValidationPolicy } from "@pulumi/policy";
import { reportProperty, shown } from "./report";
import { TYPES } from "./resource-types";

/** Soft delete lets a drop or a tenant's container deleted by mistake be restored. */
export const blobSoftDelete: ResourceValidationPolicy = {
  name: "blob-soft-delete",
  description: "Blob service properties keep deleted blobs and containers restorable (soft delete on).",
  enforcementLevel: "advisory",
  severity: "medium",
  validateResource: (args, report) => {
    if (args.type !== TYPES.blobServiceProperties) return;
    for (const policy of ["deleteRetentionPolicy", "containerDeleteRetentionPolicy"]) {
      const retention = args.props[policy] as { enabled?: unknown } | undefined;
      if (retention?.enabled !== true) reportProperty(report, `${policy}.enabled`, `should be true, is ${shown(retention?.enabled)}`);
    }
  },
};

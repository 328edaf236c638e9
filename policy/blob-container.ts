import type { ResourceValidationPolicy } from "@pulumi/policy";
import { reportProperty, shown } from "./report";
import { TYPES } from "./resource-types";

/** A tenant's container holds its encrypted drops: never readable anonymously. */
export const blobContainerPrivate: ResourceValidationPolicy = {
  name: "blob-container-private",
  description: "Blob containers allow no anonymous access (publicAccess None).",
  enforcementLevel: "mandatory",
  severity: "high",
  validateResource: (args, report) => {
    if (args.type !== TYPES.blobContainer) return;
    const publicAccess = args.props.publicAccess;
    if (publicAccess !== undefined && publicAccess !== "None") reportProperty(report, "publicAccess", `must be "None" or not set, is ${shown(publicAccess)}`);
  },
};

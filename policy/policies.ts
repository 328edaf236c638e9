import type { Policies } from "@pulumi/policy";
import { blobContainerPrivate } from "./blob-container";
import { blobSoftDelete } from "./blob-service";
import { customRoleManagesKeysOnly } from "./custom-role";
import { keyVaultProtected } from "./key-vault";
import { notifyUrlHttps } from "./notify-url";
import { roleAssignmentsLeastPrivilege } from "./role-assignments";
import { roleAssignmentsKnownRoles } from "./role-assignments-known-roles";
import { storageAccountLockedDown } from "./storage-account";
import { tenantKeyRsaExpiring } from "./tenant-key";

/** Every policy of the pack, as `pulumi preview --policy-pack policy` and `npm run policy` run them. */
export const POLICIES: Policies = [
  storageAccountLockedDown,
  blobContainerPrivate,
  blobSoftDelete,
  keyVaultProtected,
  tenantKeyRsaExpiring,
  roleAssignmentsLeastPrivilege,
  roleAssignmentsKnownRoles,
  customRoleManagesKeysOnly,
  notifyUrlHttps,
];

/** The pack's name as Pulumi shows it. */
export const PACK_NAME = "viva-partner";

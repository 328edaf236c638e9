export { TenantKey, type TenantKeyArgs } from "./tenant-key";
export { StartedTrigger, type StartedTriggerArgs } from "./started-trigger";
export { weeklyScheduleTriggerProperties, type WeeklyScheduleArgs } from "./weekly-schedule";
export { VerbatimDataset, type VerbatimDatasetArgs } from "./verbatim-dataset";

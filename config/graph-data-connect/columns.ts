/**
 * The columns a customer consents to by default: the lists of Microsoft's sample pipeline for this
 * integration, niblak/dataconnect-solutions, branch vivaarmtemplates,
 * ARMTemplates/VivaInsights/SamplePipeline/mainTemplateV1.json (commit 8e6ae4cb): the PersonReport
 * dataset's `structure` and the users copy's `outputColumns`. Column names only (with the sample's
 * types), kept as data. MIT licence, Copyright (c) Microsoft Corporation.
 * tests/sample-conformance.test.ts checks these lists against the sample itself.
 */

/** One column of a dataset's `structure`. */
export interface DatasetColumn {
  name: string;
  /** Data Factory interim type (double, boolean, datetime, …); absent for a column the sample does not list. */
  type?: string;
}

/**
 * The column the extraction window filters on (`dateFilterColumn`): a PersonReport column list
 * must keep it, or the window has nothing to filter.
 */
export const PERSON_REPORT_DATE_COLUMN = "MetricDate";

/** VivaInsightsDataset_PersonReport_v1 columns and their types, in the sample's order (its `structure`). */
export const PERSON_REPORT_COLUMNS: readonly DatasetColumn[] = [
  { name: "After-hours collaboration hours", type: "double" },
  { name: "After-hours email hours", type: "double" },
  { name: "After-hours chat hours", type: "double" },
  { name: "After-hours meeting hours", type: "double" },
  { name: "After-hours scheduled call hours", type: "double" },
  { name: "After-hours unscheduled call hours", type: "double" },
  { name: "Collaboration hours", type: "double" },
  { name: "Email hours", type: "double" },
  { name: "External collaboration hours", type: "double" },
  { name: "Chat hours", type: "double" },
  { name: "Meeting hours", type: "double" },
  { name: "Scheduled call hours", type: "double" },
  { name: "Unscheduled call hours", type: "double" },
  { name: "Conflicting meeting hours", type: "double" },
  { name: "Meetings with manager 1:1", type: "double" },
  { name: "IsActive", type: "boolean" },
  { name: "MetricDate", type: "datetime" },
  { name: "After-hours call hours", type: "double" },
  { name: "Call hours", type: "double" },
  { name: "Multitasking hours", type: "double" },
  { name: "Emails sent", type: "double" },
  { name: "Meetings", type: "double" },
  { name: "Chats sent", type: "double" },
  { name: "Calls", type: "double" },
  { name: "Meeting and call hours", type: "double" },
  { name: "Weekend emails sent", type: "double" },
  { name: "Weekend chats sent", type: "double" },
  { name: "Weekend meetings", type: "double" },
  { name: "Unscheduled weekend calls", type: "double" },
  { name: "Urgent email hours", type: "double" },
  { name: "Urgent meeting hours", type: "double" },
  { name: "Small-group meeting call and chat hours", type: "double" },
  { name: "Small-group emails sent excluding manager", type: "double" },
  { name: "Small-group chats sent excluding manager", type: "double" },
  { name: "Internal meeting hours with 3 to 8 attendees", type: "double" },
  { name: "Internal meeting hours without manager 1:1", type: "double" },
  { name: "Unscheduled call hours with manager 1:1", type: "double" },
  { name: "Unscheduled call hours with manager", type: "double" },
  { name: "Collaboration hours with direct reports", type: "double" },
  { name: "Small-group emails sent including manager", type: "double" },
  { name: "Small-group chats sent including manager", type: "double" },
  { name: "Manager coaching hours 1:1", type: "double" },
  { name: "Meeting hours with manager", type: "double" },
  { name: "Meeting hours with manager 1:1", type: "double" },
  { name: "Meetings with manager", type: "double" },
  { name: "Meetings with skip level", type: "double" },
  { name: "Meeting hours with skip level", type: "double" },
  { name: "Internal network size", type: "double" },
  { name: "External unscheduled call hours", type: "double" },
  { name: "External email hours", type: "double" },
  { name: "External chat hours", type: "double" },
  { name: "External meeting hours", type: "double" },
  { name: "Available-to-focus hours", type: "double" },
  { name: "Uninterrupted hours", type: "double" },
  { name: "Interrupted hours", type: "double" },
  { name: "Small and short meeting hours", type: "double" },
  { name: "Small and short recurring meeting hours", type: "double" },
  { name: "Large and long meeting hours", type: "double" },
  { name: "Large and long recurring meeting hours", type: "double" },
  { name: "Large and short meeting hours", type: "double" },
  { name: "Large and short recurring meeting hours", type: "double" },
  { name: "Small and long meeting hours", type: "double" },
  { name: "Small and long recurring meeting hours", type: "double" },
  { name: "Recurring meeting hours", type: "double" },
  { name: "Working-hours collaboration hours", type: "double" },
  { name: "Working-hours email hours", type: "double" },
  { name: "Working-hours call hours", type: "double" },
  { name: "Working-hours chat hours", type: "double" },
  { name: "Working-hours meeting hours", type: "double" },
];

/** BasicDataSet_v0.User_v1 columns, in the sample's order (the users copy's `outputColumns`). */
export const USER_COLUMNS: readonly string[] = [
  "aboutMe", "accountEnabled", "ageGroup", "assignedLicenses", "assignedPlans", "birthday", "businessPhones",
  "city", "companyName", "consentProvidedForMinor", "country", "createdDateTime", "department",
  "displayName", "givenName", "hireDate", "id", "imAddresses", "interests", "jobTitle",
  "legalAgeGroupClassification", "mail", "mailNickname", "mobilePhone", "mySite", "officeLocation",
  "onPremisesImmutableId", "onPremisesLastSyncDateTime", "onPremisesSecurityIdentifier",
  "onPremisesSyncEnabled", "passwordPolicies", "pastProjects", "postalCode", "preferredLanguage",
  "preferredName", "provisionedPlans", "proxyAddresses", "responsibilities", "schools", "skills", "state",
  "streetAddress", "surname", "usageLocation", "userPrincipalName", "userType",
];

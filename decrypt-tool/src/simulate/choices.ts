// The simulator's choices, apart from its zod schema (options.ts): the CLI needs them to register its
// options at start-up, when zod is not loaded yet.

/** The table name the service writes for the Viva Insights person report. */
export const PERSON_REPORT_TABLE = "VivaInsightsDataset_PersonReport_v1";

/** How the AES key is written before RSA wrapping. */
export const KEY_TEXT_FORMS = ["utf16le", "utf8", "raw"] as const;
/** RSA paddings the simulator can wrap with (the ones a local private key can unwrap). */
export const SIMULATE_RSA_PADDINGS = ["RSA-OAEP", "RSA-OAEP-256"] as const;
/** Metadata layouts: the seed's Metadata.json, or the Graph Data Connect key file. */
export const SIMULATE_LAYOUTS = ["viva", "mgdc"] as const;

export { simulateDrop, type SimulatedDrop } from "./simulate-drop";
export { KEY_TEXT_FORMS, PERSON_REPORT_TABLE, SIMULATE_LAYOUTS, SIMULATE_RSA_PADDINGS, resolveSimulateOptions, type SimulateOptions } from "./options";
export { loadTenantPublicKey, encodeKeyText } from "./file-key";
export { KEY_DETAILS_JSON_PATH, METADATA_JSON_PATH } from "./drop-metadata";

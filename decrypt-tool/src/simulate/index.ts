export { simulateDrop, type SimulatedDrop } from "./simulate-drop";
export { KEY_TEXT_FORMS, PERSON_REPORT_TABLE, SIMULATE_LAYOUTS, SIMULATE_RSA_PADDINGS, resolveSimulateOptions, type SimulateOptions } from "./options";
export { loadTenantPublicKey, encodeKeyText } from "./file-key";

export * from "./key-options";
export * from "./key-text";
export * from "./key-vault-unwrap";
export * from "./local-unwrap";
export * from "./unwrap-file-key";

export * from "./columns";
export type * from "./drop-metadata";
export * from "./read-metadata";
export * from "./schema";

import { describe, expect, it } from "vitest";
import { DropError, isBlobLocation, parseBlobLocation } from "../src/index";

describe("parseBlobLocation", () => {
  it.each([
    [
      "https://contoso.blob.core.windows.net/7d2f6a3e-0000-4000-8000-000000000001/run-1",
      { accountUrl: "https://contoso.blob.core.windows.net", containerName: "7d2f6a3e-0000-4000-8000-000000000001", prefix: "run-1" },
    ],
    ["https://contoso.blob.core.windows.net/tenant", { accountUrl: "https://contoso.blob.core.windows.net", containerName: "tenant", prefix: "" }],
    ["https://contoso.blob.core.windows.net/tenant/a/b/", { accountUrl: "https://contoso.blob.core.windows.net", containerName: "tenant", prefix: "a/b" }],
    ["https://contoso.dfs.core.windows.net/tenant/run", { accountUrl: "https://contoso.blob.core.windows.net", containerName: "tenant", prefix: "run" }],
    ["abfss://tenant@contoso.dfs.core.windows.net/run/x", { accountUrl: "https://contoso.blob.core.windows.net", containerName: "tenant", prefix: "run/x" }],
    ["http://127.0.0.1:10000/devstoreaccount1/tenant/run", { accountUrl: "http://127.0.0.1:10000/devstoreaccount1", containerName: "tenant", prefix: "run" }],
    ["http://localhost:41000/devstoreaccount1/tenant", { accountUrl: "http://localhost:41000/devstoreaccount1", containerName: "tenant", prefix: "" }],
    ["https://contoso.blob.core.windows.net/tenant/run%20one", { accountUrl: "https://contoso.blob.core.windows.net", containerName: "tenant", prefix: "run one" }],
  ])("splits %s", (url, expected) => {
    expect(parseBlobLocation(url)).toEqual(expected);
  });

  it("keeps a SAS token apart", () => {
    expect(parseBlobLocation("https://contoso.blob.core.windows.net/tenant/run?sv=2024&sig=abc")).toEqual({
      accountUrl: "https://contoso.blob.core.windows.net",
      containerName: "tenant",
      prefix: "run",
      sasToken: "?sv=2024&sig=abc",
    });
  });

  it.each(["https://contoso.blob.core.windows.net", "http://127.0.0.1:10000/devstoreaccount1", "https://"])("rejects %s without a container as a usage error", (url) => {
    let caught: unknown;
    try {
      parseBlobLocation(url);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DropError);
    expect((caught as DropError).code).toBe("USAGE");
  });

  it("tells storage URLs from folders", () => {
    expect(isBlobLocation("https://a.blob.core.windows.net/c")).toBe(true);
    expect(isBlobLocation("abfss://c@a.dfs.core.windows.net/")).toBe(true);
    expect(isBlobLocation("./drops/run-1")).toBe(false);
    expect(isBlobLocation("C:\\drops\\run-1")).toBe(false);
  });
});

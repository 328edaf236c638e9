import { describe, expect, it } from "vitest";
import { DropError, isBlobLocation, listDrops, parseBlobLocation, redactLocation } from "../src/index";
import { createBlobServiceClient } from "../src/source/blob-location";
import { BlobDropSource } from "../src/source/blob-source";
import { rejectionOf } from "./support/collect";

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

describe("SAS tokens stay out of messages", () => {
  const sas = "sv=2022-11-02&se=2030-01-01T00%3A00%3A00Z&sp=rl&sig=c2VjcmV0LXNpZ25hdHVyZQ%3D%3D";

  it("redactLocation replaces only the signature", () => {
    expect(redactLocation(`https://contoso.blob.core.windows.net/tenant/run?${sas}`)).toBe(
      "https://contoso.blob.core.windows.net/tenant/run?sv=2022-11-02&se=2030-01-01T00%3A00%3A00Z&sp=rl&sig=REDACTED",
    );
    expect(redactLocation("https://contoso.blob.core.windows.net/tenant/run?sig=abc")).toBe("https://contoso.blob.core.windows.net/tenant/run?sig=REDACTED");
    expect(redactLocation("./drops/run?sig=abc")).toBe("./drops/run?sig=abc");
    expect(redactLocation("https://contoso.blob.core.windows.net/tenant/run")).toBe("https://contoso.blob.core.windows.net/tenant/run");
  });

  it("a blob source's location, used in every message, carries no signature", () => {
    const source = new BlobDropSource(`https://contoso.blob.core.windows.net/tenant/run?${sas}`);
    expect(source.location).toContain("sig=REDACTED");
    expect(source.location).not.toContain("c2VjcmV0");
  });
});

describe("Azure Storage without any credential", () => {
  it("fails at once with one short line that says how to sign in", async () => {
    const unavailable = (text: string) => Object.assign(new Error(text), { name: "CredentialUnavailableError" });
    const credential = {
      getToken: async () => {
        const chain = [unavailable("EnvironmentCredential is unavailable. ".repeat(4)), unavailable("ManagedIdentityCredential: Network unreachable.")];
        throw Object.assign(new Error(chain.map((e) => e.message).join("\n")), { name: "AggregateAuthenticationError", errors: chain });
      },
    };
    const error = await rejectionOf(() => listDrops(new BlobDropSource("https://contoso.blob.core.windows.net/tenant", { credential })));
    expect(error).toBeInstanceOf(DropError);
    expect(error.code).toBe("SOURCE_UNREADABLE");
    expect(error.message).toBe(
      "cannot list blobs: no Azure sign-in found for Azure Storage: DefaultAzureCredential found no credential (run az login, set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET, or use a managed identity); or pass `connectionString`, or a URL with a SAS token",
    );
  });
});

describe("createBlobServiceClient with a connection string", () => {
  const key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
  const other = `DefaultEndpointsProtocol=https;AccountName=other;AccountKey=${key};EndpointSuffix=core.windows.net`;

  it("uses it when it names the URL's account", () => {
    expect(createBlobServiceClient("https://other.blob.core.windows.net", { connectionString: other }).url).toBe("https://other.blob.core.windows.net/");
    const emulator = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${key};BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;`;
    expect(createBlobServiceClient("http://127.0.0.1:10000/devstoreaccount1", { connectionString: emulator }).url).toBe("http://127.0.0.1:10000/devstoreaccount1");
  });

  it("refuses one for another account instead of silently reading that account's container", () => {
    const error = (() => {
      try {
        createBlobServiceClient("https://contoso.blob.core.windows.net", { connectionString: other });
      } catch (e) {
        return e as DropError;
      }
      return undefined;
    })();
    expect(error?.code).toBe("USAGE");
    expect(error?.message).toBe("`connectionString` is for https://other.blob.core.windows.net, but the URL names https://contoso.blob.core.windows.net");
  });

  it("reports a malformed one as a usage error without quoting it (it may hold an account key)", () => {
    for (const connectionString of ["garbage", `AccountName=x;AccountKey=${key}`]) {
      let error: DropError | undefined;
      try {
        createBlobServiceClient("https://contoso.blob.core.windows.net", { connectionString });
      } catch (e) {
        error = e as DropError;
      }
      expect(error?.code).toBe("USAGE");
      expect(error?.message).toBe("`connectionString` is not a valid Azure Storage connection string");
    }
  });
});

import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DropError, parseColumnsRequested } from "../src/index";
import { parseMgdcKeyDetails, parseVivaMetadata } from "../src/metadata/read-metadata";

const wrapped = randomBytes(256);
const iv = randomBytes(16);
const details = { DecryptionKeyType: "File", value: wrapped.toString("base64"), iv: iv.toString("base64") };

function metadataJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    CopyActivityId: "c0py",
    JobSubmissionTime: "2024-04-01T00:00:00Z",
    JobCompletionTime: "2024-04-01T00:30:00Z",
    RequestStartDate: "2024-01-01T00:00:00Z",
    RequestEndDate: "2024-03-31T00:00:00Z",
    ColumnsRequested: "PersonId,MetricDate,Small-group meeting, call, and chat hours",
    NumberOfRowsExtracted: 12,
    DataFactoryName: "adf",
    TenantId: "7d2f6a3e-0000-4000-8000-000000000001",
    Errors: "",
    TableName: "VivaInsightsDataset_PersonReport_v1",
    ApplicationId: "app",
    OfficeGeo: "NAM",
    ExtractionResultId: "result",
    PublicKeyVersion: "v7",
    DecryptionKeyDetails: details,
    ...overrides,
  };
}

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return error instanceof DropError ? `${error.code}: ${error.message}` : `not a DropError: ${String(error)}`;
  }
  return undefined;
}

describe("parseVivaMetadata", () => {
  it("reads every field of the seed's table", () => {
    const metadata = parseVivaMetadata(JSON.stringify(metadataJson()));
    expect(metadata).toMatchObject({
      layout: "viva",
      copyActivityId: "c0py",
      jobSubmissionTime: "2024-04-01T00:00:00Z",
      jobCompletionTime: "2024-04-01T00:30:00Z",
      requestStartDate: "2024-01-01T00:00:00Z",
      requestEndDate: "2024-03-31T00:00:00Z",
      columnsRequested: ["PersonId", "MetricDate", "Small-group meeting, call, and chat hours"],
      rowsClaimed: 12,
      dataFactoryName: "adf",
      tenantId: "7d2f6a3e-0000-4000-8000-000000000001",
      tableName: "VivaInsightsDataset_PersonReport_v1",
      applicationId: "app",
      officeGeo: "NAM",
      extractionResultId: "result",
      publicKeyVersion: "v7",
    });
    expect(metadata.errors).toBeUndefined();
    expect(metadata.fileKey?.keyType).toBe("File");
    expect(metadata.fileKey?.wrappedKey.equals(wrapped)).toBe(true);
    expect(metadata.fileKey?.iv.equals(iv)).toBe(true);
  });

  it("accepts DecryptionKeyDetails as a JSON string, a BOM, and a row count as text", () => {
    const text = "\uFEFF" + JSON.stringify(metadataJson({ DecryptionKeyDetails: JSON.stringify(details), NumberOfRowsExtracted: "12" }));
    const metadata = parseVivaMetadata(Buffer.from(text, "utf8"));
    expect(metadata.fileKey?.wrappedKey.equals(wrapped)).toBe(true);
    expect(metadata.rowsClaimed).toBe(12);
  });

  it("reads a Metadata.json saved as UTF-16 (little or big endian, after its BOM)", () => {
    const text = JSON.stringify(metadataJson());
    const little = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
    const big = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, "utf16le").swap16()]);
    for (const bytes of [little, big]) {
      const metadata = parseVivaMetadata(bytes);
      expect(metadata.rowsClaimed).toBe(12);
      expect(metadata.fileKey?.iv.equals(iv)).toBe(true);
    }
    // A stray odd byte after a big-endian BOM (half a code unit) does not crash the decoder.
    expect(parseVivaMetadata(Buffer.concat([big, Buffer.from([0x20])])).rowsClaimed).toBe(12);
  });

  it("keeps the service's text of a failed run, which carries no key", () => {
    const metadata = parseVivaMetadata(JSON.stringify(metadataJson({ Errors: "Extraction failed: consent expired", DecryptionKeyDetails: undefined })));
    expect(metadata.errors).toBe("Extraction failed: consent expired");
    expect(metadata.fileKey).toBeUndefined();
  });

  it.each(["", "  ", "[]", "null", null, []])("reads Errors %j as a successful run", (errors) => {
    expect(parseVivaMetadata(JSON.stringify(metadataJson({ Errors: errors }))).errors).toBeUndefined();
  });

  it("joins a list of errors", () => {
    expect(parseVivaMetadata(JSON.stringify(metadataJson({ Errors: ["quota", { code: 7 }] }))).errors).toBe('quota; {"code":7}');
  });

  it.each([
    ["is not JSON", "{not json", /METADATA_INVALID: metadata\/JobMetadata\/Metadata.json is not valid JSON/],
    ["has no key details", JSON.stringify(metadataJson({ DecryptionKeyDetails: undefined })), /METADATA_INVALID: .*has no DecryptionKeyDetails/],
    ["has an IV of the wrong size", JSON.stringify(metadataJson({ DecryptionKeyDetails: { ...details, iv: randomBytes(12).toString("base64") } })), /the IV is 12 bytes.*expected 16/],
    ["has key text that is not Base64", JSON.stringify(metadataJson({ DecryptionKeyDetails: { ...details, value: "not base64!" } })), /DecryptionKeyDetails field value.*not Base64/],
    ["has a negative row count", JSON.stringify(metadataJson({ NumberOfRowsExtracted: -1 })), /field NumberOfRowsExtracted/],
    ["has a number where text belongs", JSON.stringify(metadataJson({ TenantId: 42 })), /field TenantId/],
  ])("rejects metadata that %s", (_label, text, pattern) => {
    expect(codeOf(() => parseVivaMetadata(text))).toMatch(pattern);
  });
});

describe("parseMgdcKeyDetails", () => {
  it("reads the Graph Data Connect key file", () => {
    const parsed = parseMgdcKeyDetails(JSON.stringify({ PublicKeyVersion: "v2", DecryptionKeyValue: details.value, DecryptionKeyIV: details.iv }));
    expect(parsed.PublicKeyVersion).toBe("v2");
    expect(parsed.DecryptionKeyValue).toBe(details.value);
  });

  it("rejects a key file with a non-Base64 value", () => {
    expect(codeOf(() => parseMgdcKeyDetails(JSON.stringify({ DecryptionKeyValue: "%%%", DecryptionKeyIV: details.iv })))).toMatch(/^METADATA_INVALID: .*DecryptionKeyValue/);
  });
});

describe("parseColumnsRequested", () => {
  const withCommas = ["PersonId", "Small-group meeting, call, and chat hours", "Small-group emails sent, excluding manager", "Emails sent"];

  it("keeps names that contain ', ' together when the list is joined with bare commas", () => {
    expect(parseColumnsRequested(withCommas.join(","))).toEqual({ columns: withCommas, ambiguous: false });
  });

  it("uses the data's column names to split a list joined with ', '", () => {
    expect(parseColumnsRequested(withCommas.join(", "), withCommas)).toEqual({ columns: withCommas, ambiguous: false });
  });

  it("says so when a ', '-joined list cannot be split for certain", () => {
    const parsed = parseColumnsRequested(withCommas.join(", "));
    expect(parsed.ambiguous).toBe(true);
    expect(parsed.columns).toContain("Small-group meeting");
  });

  it("gives no columns for empty text", () => {
    expect(parseColumnsRequested("  ")).toEqual({ columns: [], ambiguous: false });
  });
});

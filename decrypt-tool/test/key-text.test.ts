import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DropError } from "../src/index";
import { decodeKeyText } from "../src/key/key-text";

describe("decodeKeyText", () => {
  const key = randomBytes(32);
  const base64 = key.toString("base64");

  it("reads the seed's form: Base64 text in UTF-16LE (88 bytes)", () => {
    const decoded = decodeKeyText(Buffer.from(base64, "utf16le"));
    expect(decoded.encoding).toBe("utf16le-base64");
    expect(decoded.key.equals(key)).toBe(true);
  });

  it("reads UTF-16LE text after a byte order mark", () => {
    const decoded = decodeKeyText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(base64, "utf16le")]));
    expect(decoded.encoding).toBe("utf16le-base64");
    expect(decoded.key.equals(key)).toBe(true);
  });

  it("reads the Graph Data Connect form: Base64 text in UTF-8 (44 bytes)", () => {
    const decoded = decodeKeyText(Buffer.from(base64, "utf8"));
    expect(decoded.encoding).toBe("utf8-base64");
    expect(decoded.key.equals(key)).toBe(true);
  });

  it("reads a raw 32-byte key", () => {
    const decoded = decodeKeyText(key);
    expect(decoded.encoding).toBe("raw");
    expect(decoded.key.equals(key)).toBe(true);
  });

  it.each([
    ["16 raw bytes", randomBytes(16), 16],
    ["an AES-128 key's Base64 in UTF-16LE", Buffer.from(randomBytes(16).toString("base64"), "utf16le"), 48],
    ["88 bytes that are not UTF-16LE text", randomBytes(88).fill(0x41, 0, 1).fill(0x42, 1), 88],
    ["44 bytes that are not Base64", Buffer.alloc(44, "*"), 44],
    ["the Base64 text in UTF-16BE", Buffer.from(base64, "utf16le").swap16(), 88],
    ["UTF-16BE text after its byte order mark", Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(base64, "utf16le").swap16()]), 90],
  ])("rejects %s, naming the length and the accepted forms", (_label, plaintext, length) => {
    let caught: unknown;
    try {
      decodeKeyText(plaintext);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DropError);
    const error = caught as DropError;
    expect(error.code).toBe("KEY_TEXT_INVALID");
    expect(error.exitCode).toBe(4);
    expect(error.message).toContain(`is ${length} bytes`);
    expect(error.message).toContain("88 bytes (Base64 text in UTF-16LE)");
    expect(error.message).toContain("44 bytes (Base64 text in UTF-8)");
    expect(error.message).toContain("32 bytes (raw AES-256 key)");
    expect(error.message).not.toMatch(/Invalid AES key length/i);
  });

  it("names UTF-16BE text as such, so 88 bytes never reads like the 88 bytes expected", () => {
    for (const plaintext of [Buffer.from(base64, "utf16le").swap16(), Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(base64, "utf16le").swap16()])]) {
      expect(() => decodeKeyText(plaintext)).toThrow(/bytes of UTF-16BE \(big-endian\) text holding the Base64 of a 32-byte key; expected 88 bytes \(Base64 text in UTF-16LE\)/);
    }
    expect(() => decodeKeyText(Buffer.from("not base64 but text, 22 chars".slice(0, 44), "utf16le").swap16())).toThrow(/UTF-16BE \(big-endian\) text that is not the Base64 of a 32-byte key/);
  });
});

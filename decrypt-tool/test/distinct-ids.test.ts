import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DistinctIds } from "../src/decrypt/distinct-ids";

describe("DistinctIds", () => {
  it("counts distinct GUIDs exactly across table growth, ignoring case", () => {
    const ids = Array.from({ length: 5000 }, () => randomUUID());
    const counter = new DistinctIds();
    for (const id of ids) counter.add(id);
    for (const id of ids.slice(0, 2500)) counter.add(id.toUpperCase());
    expect(counter.size).toBe(5000);
  });

  it("counts GUIDs that differ in one hex digit as different", () => {
    const counter = new DistinctIds();
    counter.add("00000000-0000-4000-8000-000000000000");
    counter.add("00000000-0000-4000-8000-000000000001");
    counter.add("10000000-0000-4000-8000-000000000000");
    counter.add("00000000-0000-4000-8000-000000000000");
    expect(counter.size).toBe(3);
  });

  it("counts other ids as text", () => {
    const counter = new DistinctIds();
    for (const id of ["alice@contoso.com", "bob", "alice@contoso.com", "007cc8e6-fcfc-34f2-b3da-d800cb284b2"]) counter.add(id);
    expect(counter.size).toBe(3);
  });
});

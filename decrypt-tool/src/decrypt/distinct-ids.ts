const WORDS = 4;
// Offsets of the 32 hex digits in "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx".
const HEX_OFFSETS = [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 14, 15, 16, 17, 19, 20, 21, 22, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35];
const words = new Uint32Array(WORDS);

/**
 * Counts distinct ids exactly in little memory. PersonIds are GUIDs, so each is kept as 16 bytes in an
 * open-addressing hash table (about 24 bytes per person instead of ~100 for a string in a Set), which keeps
 * `verify` flat in memory on drops with hundreds of thousands of people. Other ids go to a plain Set.
 */
export class DistinctIds {
  private table = new Uint32Array(1024 * WORDS);
  private used = new Uint8Array(1024);
  private guids = 0;
  private readonly others = new Set<string>();

  /** Number of distinct ids added. */
  get size(): number {
    return this.guids + this.others.size;
  }

  add(id: string): void {
    if (!parseGuid(id)) {
      this.others.add(id);
      return;
    }
    if (this.insert(words[0], words[1], words[2], words[3])) {
      this.guids++;
      if (this.guids * 10 > this.used.length * 7) this.grow();
    }
  }

  // True when the GUID was not there yet.
  private insert(a: number, b: number, c: number, d: number): boolean {
    const mask = this.used.length - 1;
    let slot = mix(a, b, c, d) & mask;
    for (;;) {
      if (this.used[slot] === 0) {
        this.used[slot] = 1;
        const at = slot * WORDS;
        this.table[at] = a;
        this.table[at + 1] = b;
        this.table[at + 2] = c;
        this.table[at + 3] = d;
        return true;
      }
      const at = slot * WORDS;
      if (this.table[at] === a && this.table[at + 1] === b && this.table[at + 2] === c && this.table[at + 3] === d) return false;
      slot = (slot + 1) & mask;
    }
  }

  private grow(): void {
    const oldTable = this.table;
    const oldUsed = this.used;
    this.table = new Uint32Array(oldTable.length * 2);
    this.used = new Uint8Array(oldUsed.length * 2);
    for (let slot = 0; slot < oldUsed.length; slot++) {
      if (oldUsed[slot] === 0) continue;
      const at = slot * WORDS;
      this.insert(oldTable[at], oldTable[at + 1], oldTable[at + 2], oldTable[at + 3]);
    }
  }
}

// Fills `words` with the GUID's 128 bits; false if `id` is not a GUID. No allocation: runs once per row.
function parseGuid(id: string): boolean {
  if (id.length !== 36 || id.charCodeAt(8) !== 45 || id.charCodeAt(13) !== 45 || id.charCodeAt(18) !== 45 || id.charCodeAt(23) !== 45) return false;
  for (let w = 0; w < WORDS; w++) {
    let value = 0;
    for (let k = 0; k < 8; k++) {
      const digit = hexValue(id.charCodeAt(HEX_OFFSETS[w * 8 + k]));
      if (digit < 0) return false;
      value = value * 16 + digit;
    }
    words[w] = value;
  }
  return true;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

function mix(a: number, b: number, c: number, d: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ b ^ (h >>> 13), 0xc2b2ae35);
  h = Math.imul(h ^ c ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ d ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

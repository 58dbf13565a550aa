// The request references a batch has seen, in about 16 bytes each rather
// than a string's 70: a campaign of a million messages must not hold a
// million strings to find the one that repeats. Each reference is kept as a
// 64-bit hash (two independent 32-bit hashes) in an open-addressed table.
// Two different references share a hash with a chance of about n²/2⁶⁵ (1 in
// 37 million for a million references); the cost of that is a message
// refused as a repeat, never one sent twice (the journal's claim guards that).

/** FNV-1a over UTF-16 code units. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** A multiply-rotate hash with other constants (murmur3's finaliser), independent enough of FNV for a second half. */
function murmurish(text: string): number {
  let hash = 0x9747b28c ^ text.length;
  for (let i = 0; i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0xcc9e2d51);
    hash = (hash << 15) | (hash >>> 17);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}

export class ReferenceSet {
  /** Pairs of (high, low) hash halves; (0, 0) is an empty slot. */
  #slots = new Uint32Array(2 * 1024);
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** Adds the reference; false when it (or, rarely, a reference with its hash) was already there. */
  add(reference: string): boolean {
    let high = fnv1a(reference);
    const low = murmurish(reference);
    if (high === 0 && low === 0) high = 1; // (0, 0) marks an empty slot
    if ((this.#size + 1) * 2 > this.#slots.length / 2) this.#grow();
    return this.#insert(high, low);
  }

  #insert(high: number, low: number): boolean {
    const capacity = this.#slots.length / 2;
    for (let slot = (high ^ low) & (capacity - 1); ; slot = (slot + 1) & (capacity - 1)) {
      const h = this.#slots[2 * slot] as number;
      const l = this.#slots[2 * slot + 1] as number;
      if (h === 0 && l === 0) {
        this.#slots[2 * slot] = high;
        this.#slots[2 * slot + 1] = low;
        this.#size++;
        return true;
      }
      if (h === high && l === low) return false;
    }
  }

  /** Doubles the table once it is half full, so that probes stay short. */
  #grow(): void {
    const old = this.#slots;
    this.#slots = new Uint32Array(old.length * 2);
    this.#size = 0;
    for (let i = 0; i < old.length; i += 2) {
      const high = old[i] as number;
      const low = old[i + 1] as number;
      if (high !== 0 || low !== 0) this.#insert(high, low);
    }
  }
}

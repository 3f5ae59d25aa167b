/**
 * A set of record ids (whole numbers) seen so far, for Register's clean-up replay over dead sets of hundreds of
 * thousands of jobs. Ids close together (trainee ids are a sequence) are kept as bits, one per possible id, once that
 * takes less memory than a `Set` would; ids far beyond the rest stay in a `Set`. Memory then stays near one bit per id
 * for a dense set and never much above a `Set`'s for a sparse one.
 *
 * @example
 * const seen = new SeenIds();
 * seen.add(411) // false: first time
 * seen.add(411) // true: seen before
 */
export class SeenIds {
  #bits: Uint8Array | null = null;
  #sparse = new Set<number>();
  #size = 0;

  /** How many distinct ids. */
  get size(): number {
    return this.#size;
  }

  /** Adds the id; true when it was already there. `id` must be a whole number from 0 up. */
  add(id: number): boolean {
    const inRange = id < 2 ** 31;
    const byte = inRange ? id >>> 3 : Infinity;
    let bits = this.#bits;
    if (bits !== null && byte < bits.length) {
      const mask = 1 << (id & 7);
      if (bits[byte]! & mask) return true;
      bits[byte]! |= mask;
      this.#size++;
      return false;
    }
    const sparse = this.#sparse;
    if (sparse.has(id)) return true;
    // Bits pay once the bytes up to this id are fewer than a Set's ~16 bytes an id would be.
    if (inRange && byte < (this.#size + 1) * 16) {
      bits = this.#grow(Math.max(byte + 1, bits === null ? 0 : bits.length * 2));
      bits[byte]! |= 1 << (id & 7);
    } else {
      sparse.add(id);
    }
    this.#size++;
    return false;
  }

  /** Moves to a bit array of at least `bytes`, taking in the ids of the Set it now covers. */
  #grow(bytes: number): Uint8Array {
    const bits = new Uint8Array(bytes);
    if (this.#bits !== null) bits.set(this.#bits);
    for (const id of this.#sparse) {
      if (id < 2 ** 31 && id >>> 3 < bytes) {
        bits[id >>> 3]! |= 1 << (id & 7);
        this.#sparse.delete(id);
      }
    }
    this.#bits = bits;
    return bits;
  }
}

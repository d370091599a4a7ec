/**
 * The vector file of a built index (persisted by src/search/persist.ts for the sparse exact index,
 * and carried in the edge bundle).
 *
 * File format (little-endian): "GCV1", count u32, dim u32, encoding u32, then
 *   dense  (0): count·dim f32
 *   sparse (1): offsets u32[count+1], indices u16[nnz] (padded to 4 bytes), values f32[nnz]
 *   int8   (2): scales f32[count], count·dim i8 (value ≈ i8 · scale)
 * The hashing embedder's vectors are mostly zeros, so sparse is a third to a seventh of dense with
 * the same float32 values; int8 is smaller again but changes similarities slightly.
 */
export type VectorEncoding = 'dense' | 'sparse' | 'int8';
export const CODES: Record<VectorEncoding, number> = { dense: 0, sparse: 1, int8: 2 };
export const MAGIC = 0x31564347; // "GCV1"

/** Sparse when under half the values are non-zero (and the dimension fits u16), else dense. */
export function chooseEncoding(vectors: Float32Array[], dim: number): VectorEncoding {
  if (dim > 65535 || !vectors.length) return 'dense';
  let nnz = 0;
  for (const v of vectors) for (let i = 0; i < v.length; i++) if (v[i] !== 0) nnz++;
  return nnz / (vectors.length * dim) < 0.5 ? 'sparse' : 'dense';
}

export function encodeVectors(vectors: Float32Array[], dim: number, encoding: VectorEncoding): Uint8Array {
  const count = vectors.length;
  const header = 16;
  let body: number;
  let nnz = 0;
  if (encoding === 'dense') body = count * dim * 4;
  else if (encoding === 'int8') body = count * 4 + count * dim;
  else {
    for (const v of vectors) for (let i = 0; i < dim; i++) if (v[i] !== 0) nnz++;
    body = (count + 1) * 4 + Math.ceil((nnz * 2) / 4) * 4 + nnz * 4;
  }
  const buf = new ArrayBuffer(header + body);
  const view = new DataView(buf);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, count, true);
  view.setUint32(8, dim, true);
  view.setUint32(12, CODES[encoding], true);
  if (encoding === 'dense') {
    const out = new Float32Array(buf, header, count * dim);
    vectors.forEach((v, i) => out.set(v.subarray(0, dim), i * dim));
  } else if (encoding === 'int8') {
    const scales = new Float32Array(buf, header, count);
    const out = new Int8Array(buf, header + count * 4, count * dim);
    vectors.forEach((v, i) => {
      let max = 0;
      for (let d = 0; d < dim; d++) max = Math.max(max, Math.abs(v[d]));
      const scale = max / 127 || 1;
      scales[i] = scale;
      for (let d = 0; d < dim; d++) out[i * dim + d] = Math.round(v[d] / scale);
    });
  } else {
    const offsets = new Uint32Array(buf, header, count + 1);
    const idxStart = header + (count + 1) * 4;
    const indices = new Uint16Array(buf, idxStart, nnz);
    const values = new Float32Array(buf, idxStart + Math.ceil((nnz * 2) / 4) * 4, nnz);
    let at = 0;
    vectors.forEach((v, i) => {
      offsets[i] = at;
      for (let d = 0; d < dim; d++) {
        if (v[d] === 0) continue;
        indices[at] = d;
        values[at++] = v[d];
      }
    });
    offsets[count] = at;
  }
  return new Uint8Array(buf);
}

// Modules of the edge bundle, resolved by the worker build (src/edge/build.ts) to files next to
// worker.js and uploaded as Workers modules: JSON as Text, vectors as Data, jieba as CompiledWasm.
declare module 'edge-bundle:vectors.bin' {
  const data: ArrayBuffer;
  export default data;
}
declare module 'edge-bundle:jieba.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
declare module 'edge-bundle:*' {
  const text: string;
  export default text;
}

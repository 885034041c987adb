// The store's reader is the run file's decoder (src/run_file/decode.ts): one reader for every
// command, a run in tph's format or JSON.

export * from "../run_file/decode.ts";

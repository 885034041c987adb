// A run file or cache folder that cannot be used: one error for the store and the run file's
// decoder (src/run_file/store_error.ts).

export { StoreError } from "../run_file/store_error.ts";

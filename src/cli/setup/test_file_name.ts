// A file of its own: the command table names the file in tph setup's help without loading the
// setup code.

/** The name of the file tph setup writes, at the project folder. */
export const TEST_FILE_NAME = "_tracepatch_filetotest.ts";

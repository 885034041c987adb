import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { shellWord } from "../../../src/cli/commands/shell_word.ts";

Deno.test("shellWord() leaves plain paths alone and quotes the rest for a POSIX shell", () => {
  for (const plain of ["last", "run_1.json", ".tracepatch_cache/run_1.json", "../a/b-c+d@e:f,g"]) {
    assert.equal(shellWord(plain), plain);
  }
  assert.equal(shellWord("my runs/r.json"), "'my runs/r.json'");
  assert.equal(shellWord("it's.json"), "'it'\\''s.json'");
  assert.equal(shellWord("-x/r.json"), "./-x/r.json");
  assert.equal(shellWord("~/r.json"), "'~/r.json'");
  // Whatever the word, the shell reads it back as it was.
  const words = ["a b", "it's", "$HOME", "`id`", 'say "hi"', "a\\b", "*", "x;y", "a\tb", "#c", "é"];
  for (const word of words) {
    const r = spawnSync("sh", ["-c", `printf %s ${shellWord(word)}`], {
      encoding: "utf8",
      timeout: 10_000,
      killSignal: "SIGKILL",
    });
    assert.equal(r.stdout, word, shellWord(word));
  }
});

// The worker of web_worker.ts: sorts numbers with lodash and answers.
import _ from "lodash";

function describe(values: number[]): string {
  return values.length === 0 ? "empty" : `sorted ${_.sortBy(values).join(",")} max ${_.max(values)}`;
}

self.onmessage = (e: MessageEvent<number[]>) => {
  self.postMessage(describe(e.data));
};

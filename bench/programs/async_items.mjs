// Many async calls at once (the export's many tracks): 100 batches of 200 items fetched with
// Promise.all, each awaiting, some a timer, each item's texts its own.
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function fetchItem(id, label) {
  await null;
  const body = { id, label, tags: [`t${id % 13}`, `u${id}`] };
  if (id % 50 === 0) await sleep(0);
  return transform(body, `key-${id}-${label}`);
}
function transform(body, key) {
  return { ...body, key, size: JSON.stringify(body).length };
}
async function batch(b) {
  const items = Array.from(
    { length: 200 },
    (_, i) => fetchItem(b * 200 + i, `label ${i % 17} of batch ${b}`),
  );
  return (await Promise.all(items)).length;
}
let n = 0;
for (let b = 0; b < 100; b++) n += await batch(b);
console.log(n);

// dayjs 1 (UMD dayjs.min.js, no "type"; plugins are separate UMD files): a date library.
import dayjs from "dayjs";
import utc from "dayjs/plugin/utc.js";
import relativeTime from "dayjs/plugin/relativeTime.js";
import duration from "dayjs/plugin/duration.js";

function setup() {
  dayjs.extend(utc);
  dayjs.extend(relativeTime);
  dayjs.extend(duration);
}

function main() {
  setup();
  const d = dayjs.utc("2024-02-29T12:34:56Z");
  console.log(d.format("YYYY-MM-DD HH:mm:ss [UTC] dddd"));
  console.log(d.add(1, "year").format("YYYY-MM-DD"), d.subtract(3, "month").format("MMM D"));
  console.log(d.startOf("week").toISOString(), d.endOf("month").toISOString());
  console.log("diff days:", dayjs.utc("2025-01-01").diff(d, "day"));
  console.log("from:", d.from(dayjs.utc("2024-06-01")), "|", d.to(dayjs.utc("2020-01-01")));
  console.log("duration:", dayjs.duration({ hours: 26, minutes: 5 }).format("D[d] H[h] m[m]"));
  const bad = dayjs("not a date");
  console.log("valid:", bad.isValid(), bad.format());
  try {
    bad.toISOString();
  } catch (e) {
    console.log("caught:", e.name, e.message);
  }
  console.log("dayjs done");
}

main();

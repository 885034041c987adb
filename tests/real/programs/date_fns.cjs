// date-fns 4 ("type": "module" package whose exports map sends require() to .cjs files; the
// index requires some 250 of them): a date library.
const { addDays, differenceInCalendarDays, eachWeekendOfMonth, format, formatDistanceStrict, isLeapYear, parseISO } =
  require("date-fns");

function main() {
  const start = parseISO("2024-02-27T08:00:00Z");
  const later = addDays(start, 5);
  console.log(format(later, "yyyy-MM-dd EEEE"), "leap:", isLeapYear(start));
  console.log("days:", differenceInCalendarDays(parseISO("2025-01-01"), start));
  console.log("distance:", formatDistanceStrict(start, later), "/", formatDistanceStrict(later, start, { addSuffix: true }));
  console.log("weekends:", eachWeekendOfMonth(start).map((d) => format(d, "d")).join(","));
  try {
    format(new Date(Number.NaN), "yyyy");
  } catch (e) {
    console.log("caught:", e.name, e.message);
  }
  console.log("date-fns done");
}

main();

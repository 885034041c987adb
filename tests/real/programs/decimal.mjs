// decimal.js 10 (dual: an exports map with import -> decimal.mjs, require -> decimal.js): a
// math library for arbitrary-precision decimals.
import Decimal from "decimal.js";

function sqrtTwo(precision) {
  const D = Decimal.clone({ precision });
  return new D(2).sqrt().toString();
}

function compound(principal, rate, years) {
  let amount = new Decimal(principal);
  for (let y = 0; y < years; y++) amount = amount.times(new Decimal(1).plus(rate));
  return amount.toDecimalPlaces(2).toFixed(2);
}

function main() {
  console.log("sqrt(2) =", sqrtTwo(50));
  console.log("0.1 + 0.2 =", new Decimal("0.1").plus("0.2").toString(), "vs", 0.1 + 0.2);
  console.log("compound:", compound("1000", "0.05", 10));
  console.log("pi:", Decimal.acos(-1).toSignificantDigits(30).toString());
  console.log("exp/ln:", new Decimal(10).ln().toFixed(12), Decimal.exp(1).toFixed(12));
  console.log("fraction:", new Decimal("0.625").toFraction().join("/"), new Decimal(255).toHex());
  try {
    new Decimal("twelve");
  } catch (e) {
    console.log("caught:", e.name, e.message);
  }
  console.log("decimal done");
}

main();

// The value tracer's `foo` module, ported: follow the value 2 through foo(-2) with
// `tph run examples/foo.ts --tree` (buzz returns 2, bar gets val=2, Baz#call returns 2, ...).

export class Baz {
  public pw: number;
  constructor(pw: number) {
    this.pw = pw;
  }

  call(val: number): number {
    return Math.trunc(val ** this.pw);
  }
}

export function buzz(val: number): number {
  return -val;
}

export function bar(val: number, pw = 2): number {
  return val ** pw;
}

export function foo(val: number): number {
  val = buzz(val);
  val = bar(val);
  val = new Baz(0.5).call(val);
  val = buzz(val);
  return val;
}

if (import.meta.main) console.log(foo(-2));

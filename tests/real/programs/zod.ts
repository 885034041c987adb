// zod 4 (ESM with an exports map): a schema validator written in TypeScript.
import { z } from "zod";

const User = z.object({
  name: z.string().min(2),
  age: z.number().int().nonnegative(),
  email: z.email(),
  tags: z.array(z.string()).default([]),
  role: z.enum(["admin", "user"]),
});

type User = z.infer<typeof User>;

function check(input: unknown): string {
  const r = User.safeParse(input);
  if (r.success) return `ok ${JSON.stringify(r.data)}`;
  return `invalid ${r.error.issues.map((i) => `${i.path.join(".")}:${i.code}`).join(",")}`;
}

function main(): void {
  console.log(check({ name: "Ada", age: 36, email: "ada@example.com", role: "admin" }));
  console.log(check({ name: "A", age: -1.5, email: "nope", tags: [1], role: "root" }));
  const Point = z.tuple([z.number(), z.number()]).transform(([x, y]) => ({ x, y }));
  console.log("point:", JSON.stringify(Point.parse([3, 4])));
  try {
    const u: User = User.parse({ name: "Bo" });
    console.log("unexpected", u);
  } catch (e) {
    const err = e as z.ZodError;
    console.log("caught:", err.name, err.issues.length, err.issues[0].path.join("."));
  }
  console.log("zod done");
}

main();

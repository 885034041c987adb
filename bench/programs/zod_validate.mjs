// A realistic workload: zod validates a batch of records against a nested schema.
import { z } from "zod";

const User = z.object({
  id: z.number().int().nonnegative(),
  email: z.string().email(),
  name: z.string().min(1),
  roles: z.array(z.enum(["admin", "user", "guest"])),
  address: z.object({ street: z.string(), zip: z.string().regex(/^\d{5}$/) }).optional(),
});
let ok = 0;
for (let i = 0; i < 1500; i++) {
  const r = User.safeParse({
    id: i,
    email: `u${i}@example.com`,
    name: `user ${i}`,
    roles: i % 3 === 0 ? ["admin", "user"] : ["guest"],
    address: i % 2 === 0 ? { street: "Main", zip: i % 10 === 0 ? "bad" : "12345" } : undefined,
  });
  if (r.success) ok++;
}
console.log(ok);

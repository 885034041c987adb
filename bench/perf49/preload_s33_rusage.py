import os, sys, statistics, subprocess
R = int(sys.argv[1]); specs = [s.split("=",1) for s in sys.argv[2:]]
BUN = "/work/wt/preload/node_modules/.bin/bun"
res = {l: ([], []) for l, _ in specs}
for i in range(R):
    for l, p in specs:
        pid = os.fork()
        if pid == 0:
            fd = os.open("/dev/null", os.O_WRONLY); os.dup2(fd, 1); os.dup2(fd, 2)
            args = [BUN, "--preload", p, "/work/wt/preload/examples/hello.ts"] if p != "-" else [BUN, "/work/wt/preload/examples/hello.ts"]
            os.execv(BUN, args)
        _, st, ru = os.wait4(pid, 0)
        res[l][0].append((ru.ru_utime + ru.ru_stime) * 1000); res[l][1].append(ru.ru_minflt)
print("load", os.getloadavg()[0], "rounds", R)
for l, (c, f) in res.items():
    print(f"{l:10s} cpu median {statistics.median(c):7.1f} ms  faults {statistics.median(f):6.0f}")

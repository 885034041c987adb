# Alternating rounds of commands (label=argv joined by spaces); each child's CPU and minor faults
# from wait4, and wall; medians. Usage: rusage.py ROUNDS label='cmd ...' ...
import os, sys, statistics, time, shlex
R = int(sys.argv[1]); specs = [s.split("=", 1) for s in sys.argv[2:]]
res = {l: ([], [], []) for l, _ in specs}
loads = [os.getloadavg()[0]]
for i in range(R):
    for l, c in specs:
        argv = shlex.split(c)
        t = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            fd = os.open("/dev/null", os.O_WRONLY); os.dup2(fd, 1); os.dup2(fd, 2)
            os.execv(argv[0], argv)
        _, st, ru = os.wait4(pid, 0)
        w = (time.perf_counter() - t) * 1000
        if st != 0: print("FAILED", l, st)
        res[l][0].append((ru.ru_utime + ru.ru_stime) * 1000); res[l][1].append(ru.ru_minflt); res[l][2].append(w)
    loads.append(os.getloadavg()[0])
print("load %.1f-%.1f rounds %d" % (min(loads), max(loads), R))
for l, (c, f, w) in res.items():
    print(f"{l:12s} cpu {statistics.median(c):7.1f} ms  faults {statistics.median(f):6.0f}  wall {statistics.median(w):7.1f}")

#!/usr/bin/env bash
# The report's statistics against values computed independently with
# /usr/bin/python3, numpy and scipy (Debian python3-scipy): for fixed
# samples, the median and its 95 % sign-test interval (the order statistics
# x(k), x(n+1-k) with the largest k whose binomial coverage
# 1 - 2 * binom.cdf(k - 1, n, 0.5) is at least 0.95; k = 1 when none is),
# that coverage, and the type-7 quartiles (numpy.percentile's default).
. "$(dirname "$0")/../lib.sh"
need_hakbench
PY=/usr/bin/python3
CI="$SHIMS/ci_check"
[ -x "$CI" ] || die "$CI missing (make test-build)"
$PY -c 'import scipy.stats, numpy' 2>/dev/null || { echo "python3-scipy not installed"; exit 77; }
samples=(
  "1.2,0.9,1.1"
  "1.05,1.10,1.02,1.08,1.12"
  "0.95,1.01,0.99,1.04,0.97,1.02"
  "3,1,4,1,5,9,2,6,5,3,5,8,9,7,9,3,2,3,8,4"
  "0.81,0.79,0.80,0.82,0.78,0.83,0.80,0.79,0.81,0.80,0.77"
  "42"
)
for s in "${samples[@]}"; do
  got=$("$CI" "$s") || { fail "ci_check $s failed"; continue; }
  want=$($PY - "$s" <<'PYEOF'
import sys, numpy as np
from scipy.stats import binom
x = np.sort(np.array([float(t) for t in sys.argv[1].split(",")]))
n = len(x)
k = 1
while k + 1 <= (n + 1) // 2 and 1 - 2 * binom.cdf(k, n, 0.5) >= 0.95:
    k += 1
cov = 0.0 if n == 1 else 1 - 2 * binom.cdf(k - 1, n, 0.5)
q1, q3 = np.percentile(x, [25, 75])
print(repr(float(np.median(x))), repr(float(x[k - 1])), repr(float(x[n - k])), repr(float(cov)), repr(float(q1)), repr(float(q3)))
PYEOF
)
  if $PY -c '
import sys
g = [float(t) for t in sys.argv[1].split()]; w = [float(t) for t in sys.argv[2].split()]
sys.exit(0 if len(g) == len(w) and all(abs(a - b) <= 1e-9 * max(1, abs(b)) for a, b in zip(g, w)) else 1)' "$got" "$want"; then
    ok "[$s]: median lo hi coverage q1 q3 = $got"
  else
    fail "[$s]: hakbench says '$got', scipy says '$want'"
  fi
done
finish

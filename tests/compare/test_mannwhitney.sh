#!/usr/bin/env bash
# Mann-Whitney U p-values against values computed independently (scipy 1.10
# mannwhitneyu, two-sided; method="exact" for the tie-free cases with both
# samples of at most 20, "asymptotic" with continuity correction otherwise).
# Hand check of the first two: U = 0 is the most extreme of C(6,3) = 20 and
# C(10,5) = 252 equally likely orderings, so p = 2/20 and 2/252.
. "$(dirname "$0")/../lib.sh"
mw="$BUILD/tests/compare/mw_pvalue"
[ -x "$mw" ] || die "missing $mw (make test-build)"
check_p() {  # X Y U P METHOD
  local got u p m
  got=$("$mw" "$1" "$2") || { fail "mw_pvalue $1 $2 failed"; return; }
  read -r u p m <<<"$got"
  if awk -v a="$p" -v b="$4" -v u="$u" -v eu="$3" 'BEGIN{d=a-b; if(d<0)d=-d; exit !(d <= 1e-9*(b>1e-300?b:1) + 1e-15 && u == eu)}' \
     && [ "$m" = "$5" ]; then
    ok "U=$u p=$p ($m) for [$1] vs [$2]"
  else
    fail "[$1] vs [$2]: got U=$u p=$p ($m), expected U=$3 p=$4 ($5)"
  fi
}
check_p 1,2,3 4,5,6 0 0.1 exact
check_p 1,2,3,4,5 6,7,8,9,10 0 0.007936507937 exact
check_p 6,7,8,9,10 1,2,3,4,5 25 0.007936507937 exact
check_p 1.0,1.1,0.9,1.05,0.95 1.2,0.98,1.15,1.08,1.3 4 0.09523809524 exact
check_p 3,1,4,1.5,9,2.6 5,3.5,8,9.7,9.3,2.3,8.4 9 0.1013986014 exact
check_p 0,2,4,6,8,10,12,14,16,18,20,22,24,26,28,30,32,34,36,38 \
      4.5,6.5,8.5,10.5,12.5,14.5,16.5,18.5,20.5,22.5,24.5,26.5,28.5,30.5,32.5,34.5,36.5,38.5,40.5,42.5 \
      153 0.2109643272 exact
check_p 1,2,2,3,4 2,3,5,6,6 4.5 0.1104920241 approx
check_p 0.91,0.92,0.93,0.94,0.95,0.96,0.97,0.98,0.99,1.00,1.01,1.02,1.03,1.04,1.05,1.06,1.07,1.08,1.09,1.10,1.11,1.12 \
      1.2,1.21,1.22,1.23,1.24,1.25,1.26,1.27,1.28,1.29,1.3,1.31,1.32,1.33,1.34,1.35,1.36,1.37,1.38,1.39,1.40,0.5 \
      22 2.573913001e-07 approx
check_p 5,5,5 5,5,5 4.5 1 approx
if "$mw" 1,2 "" >/dev/null 2>&1; then fail "an empty sample was accepted"; else ok "empty sample refused"; fi
finish

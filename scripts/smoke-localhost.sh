#!/usr/bin/env bash
# Smoke test of the operator path over real JSON-RPC: starts `hardhat node`, deploys with Ignition, runs the
# tasks against --network localhost and checks what they print, including a decoded refusal and its exit code.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if (exec 3<>/dev/tcp/127.0.0.1/8545) 2>/dev/null; then
  echo "error: something already listens on 127.0.0.1:8545; stop it before the localhost smoke test" >&2
  exit 1
fi

work=$(mktemp -d)
# Its own session, so that the whole process group is stopped on exit, whatever happens.
setsid node_modules/.bin/hardhat node >"$work/node.log" 2>&1 &
node_pid=$!
trap 'kill -- -$node_pid 2>/dev/null || kill $node_pid 2>/dev/null || true; rm -rf "$work" ignition/deployments/chain-31337' EXIT

for _ in $(seq 1 60); do
  grep -q "Started HTTP" "$work/node.log" 2>/dev/null && break
  sleep 0.5
done
grep -q "Started HTTP" "$work/node.log" || { echo "error: hardhat node did not start" >&2; cat "$work/node.log" >&2; exit 1; }

# A consortium key for this run only; tasks read it from the configuration variable. The deployment publishes its
# check value, derived by the task an operator runs before deploying.
TRADELINE_CONSORTIUM_KEY=0x$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
export TRADELINE_CONSORTIUM_KEY
./tradeline consortium:parameters --issuer-lei TLSETTLEMENTBANK0001 --issuer-jurisdiction CN \
  --out "$work/parameters.json" >/dev/null || { echo "error: consortium:parameters failed" >&2; exit 1; }
rm -rf ignition/deployments/chain-31337
npx hardhat ignition deploy ignition/modules/Tradeline.ts --network localhost \
  --parameters "$work/parameters.json" >"$work/deploy.log" 2>&1 || { cat "$work/deploy.log" >&2; exit 1; }

H="./tradeline --network localhost"
# From here on a failing task is reported by `expect` with its output, not by `set -e` silently.
set +e
BANK=0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC
fail=0
expect() { # expect <description> <pattern> <output>
  if grep -qE "$2" <<<"$3"; then echo "ok   $1"; else echo "FAIL $1: expected /$2/ in:"; echo "$3"; fail=1; fi
}

out=$(TRADELINE_CONSORTIUM_KEY=0x$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n') $H member:admit \
  --legal-id TLHUAXIABANK00000002 --jurisdiction CN --roles Lender --admin $BANK 2>&1); rc=$?
expect "a wrong consortium key is refused before anything is sent" "^error: consortium key mismatch: this deployment's key check is 0x" "$out"
[ "$rc" -ne 0 ] && echo "ok   the wrong key exits non-zero" || { echo "FAIL the wrong key exited 0"; fail=1; }
out=$($H member:admit --legal-id TLHUAXIABANK00000002 --bic HXBKCNSHXXX --jurisdiction CN --roles Lender,Financier --admin $BANK 2>&1)
expect "member:admit admits" "admitted member 4 \(TLHUAXIABANK00000002, CN\)" "$out"
out=$($H token:mint --from 1 --currency CNY --to $BANK --amount 1250.50 2>&1)
expect "token:mint mints" "minted 1250.50 CNY to $BANK; balance now 1250.50" "$out"
out=$($H token:balance --account $BANK --currency CNY 2>&1)
expect "token:balance prints the balance" "CNY +1250.50 +false" "$out"
LOAN="--borrower-type CN-RIC --borrower-id 990101199003070011 --originated 2026-01-15 --matures 2027-01-15"
out=$($H credit:register --from 2 $LOAN --ref HX-1 --principal 50000 2>&1)
expect "credit:register registers" "registered ConsumerLoan HX-1 for CN-RIC \*\*\*\*0011: 50000.00 CNY outstanding" "$out"
out=$($H credit:consent --from 2 --borrower-type CN-RIC --borrower-id 990101199003070011 --document form-1 --purpose NewCredit --expires 2099-12-31 2>&1)
expect "credit:consent records the borrower's consent" "consent id: 0x[0-9a-f]{64}" "$out"
CONSENT=$(grep -oE "consent id: 0x[0-9a-f]{64}" <<<"$out" | cut -d' ' -f3 || true)
out=$($H credit:inquire --from 2 --borrower-type CN-RIC --borrower-id 990101199003070011 --consent "$CONSENT" --purpose NewCredit --amount 100 2>&1)
expect "credit:inquire prints the exposure under the consent" "^ +1 +1 +50000.00 +0 +1$" "$out"
out=$($H credit:inquire --from 2 --borrower-type CN-RIC --borrower-id 990101199003070011 --consent "$CONSENT" --purpose AccountReview 2>&1)
expect "an inquiry for another purpose is refused, decoded" "ConsentPurposeMismatch\\(id=0x[0-9a-f]{64}, consentPurpose=NewCredit, purpose=AccountReview\\)" "$out"
out=$($H credit:score --from 2 --borrower-type CN-RIC --borrower-id 990101199003070011 2>&1)
expect "credit:score prints the score" "score of CN-RIC \\*\\*\\*\\*0011: [0-9]+ \\(300 to 850\\)" "$out"
out=$($H credit:repay --from 2 --ref HX-1 --amount 2000 2>&1)
expect "credit:repay repays" "outstanding now 48000.00 CNY" "$out"
out=$($H credit:repay --from 2 --ref HX-1 --amount -100 2>&1); rc=$?
expect "a negative amount gets one error line" '^error: --amount "-100" is negative: amounts, rates, ids and counts are positive' "$out"
[ "$rc" -ne 0 ] && [ "$(wc -l <<<"$out")" -eq 1 ] && echo "ok   ... on one line, exit non-zero" || { echo "FAIL negative amount: rc $rc"; fail=1; }
out=$($H credit:repay --from 2 --ref HX-1 --amount 184467440737095516.16 2>&1); rc=$?
expect "an amount beyond its field names the field and its limit" '^error: --amount "184467440737095516.16" is more than its limit of 184467440737095516.15 \(the contract stores it as a uint64' "$out"
[ "$rc" -ne 0 ] && echo "ok   ... and exits non-zero" || { echo "FAIL the out-of-bounds amount exited 0"; fail=1; }
out=$($H credit:status --from 2 --ref HX-1 --to Overdue 2>&1)
expect "credit:status moves the loan" "loan HX-1: Active -> Overdue" "$out"
out=$($H credit:import --from 2 --file examples/credit/loans.csv 2>&1)
expect "credit:import imports the example file" "imported 3 loan\(s\) from examples/credit/loans.csv in 1 batch" "$out"
out=$($H credit:dispute --from 2 --lender 4 --ref HX-1 --reason CLAIM-1 2>&1)
expect "credit:dispute opens a dispute" "dispute on HX-1: opened" "$out"
out=$($H credit:register --from 2 $LOAN --ref HX-1 --principal 50000 2>&1); rc=$?
expect "a duplicate loan is refused, decoded" "error: reverted: CreditLoanAlreadyRegistered\(id=0x[0-9a-f]{64}\)" "$out"
[ "$rc" -ne 0 ] && echo "ok   the refused registration exits non-zero" || { echo "FAIL the refused registration exited 0"; fail=1; }
CORE=0x90F79bf6EB2c4f870365E785982E1f101E93b906
SUPPLIER=0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65
$H member:admit --legal-id TLPEARLRIVERAPPL0009 --jurisdiction CN --roles CoreEnterprise --admin $CORE >/dev/null 2>&1
$H member:admit --legal-id TLGLASSWORKS00000006 --jurisdiction CN --roles Supplier --admin $SUPPLIER >/dev/null 2>&1
$H token:mint --from 1 --currency CNY --to $BANK --amount 5000 >/dev/null 2>&1
out=$($H scf:line --from 3 --financier 4 --currency CNY 2>&1)
expect "scf:line --financier: the core enterprise chooses its line's bank" "CNY credit line of member 5 now belongs to financier member 4" "$out"
out=$($H scf:line --from 2 --debtor 5 --limit 10000 2>&1)
expect "scf:line grants a line" "credit line of member 5: 10000.00 \(used 0.00\)" "$out"
out=$($H scf:issue --from 3 --supplier $SUPPLIER --face 1000 --maturity 2027-06-30 --invoices PRA-1 --issue-date 2026-11-01 2>&1)
expect "scf:issue issues R1.0" "issued R1.0 to $SUPPLIER: 1000.00 CNY, maturing 2027-06-30" "$out"
out=$($H scf:split --from 4 --id R1.0 --faces 600,400 2>&1)
expect "scf:split splits" "split R1.0 into R1.0 600.00 CNY, R1.1 400.00 CNY" "$out"
out=$($H scf:quote --from 2 --id R1.1 --rate-bps 500 --out "$work/quote.json" 2>&1)
expect "scf:quote signs a quote" "quote for R1.1: 500 bps/year on a 360-day base, without recourse, from member 6; price now" "$out"
out=$($H scf:finance --from 4 --quote "$work/quote.json" 2>&1)
expect "scf:finance sells the piece" "sold R1.1 to member 4 for [0-9.]+ CNY, paid in the same transaction" "$out"
out=$($H scf:trace --id R1.1 2>&1)
expect "scf:trace prints the tree" "R1.1 +400.00 CNY +tier 1 +financed by member 4" "$out"
out=$($H scf:issue --from 3 --supplier $SUPPLIER --face 5 --maturity 2027-06-30 --invoices PRA-1 --issue-date 2026-11-01 2>&1); rc=$?
expect "a reused invoice is refused, decoded" "error: reverted: ScfInvoiceAlreadyUsed\(invoiceKey=0x[0-9a-f]{64}, existing=R1.0\)" "$out"
[ "$rc" -ne 0 ] && echo "ok   the refused issue exits non-zero" || { echo "FAIL the refused issue exited 0"; fail=1; }
# Trade: importer 7, exporter 8, importer's bank 9, oracle 10, FX provider 11, arbiter 12; the exporter's bank is 4.
IMPORTER=0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc
EXPORTER=0x976EA74026E726554dB657fA54763abd0C3a0aa9
IBANK=0x14dC79964da2C08b23698B3D3cc7Ca32193d9955
ORACLE=0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f
FX=0xa0Ee7A142d267C1f36714E4a8F75612F20a79720
ARBITER=0xBcd4042DE499D14e55001CcbB24a551F3b954096
$H member:admit --legal-id TLCASACRISTAL0000010 --jurisdiction MX --roles Importer --admin $IMPORTER >/dev/null 2>&1
$H member:admit --legal-id TLGLASSEXPORT0000011 --jurisdiction CN --roles Exporter --admin $EXPORTER >/dev/null 2>&1
$H member:admit --legal-id TLBANCODELGOLFO00012 --jurisdiction MX --roles ImporterBank --admin $IBANK >/dev/null 2>&1
$H member:admit --legal-id TLTRANSPACIFIC000013 --jurisdiction SG --roles Oracle --admin $ORACLE >/dev/null 2>&1
$H member:admit --legal-id TLFXDESK000000000014 --jurisdiction HK --roles FxProvider --admin $FX >/dev/null 2>&1
out=$($H member:admit --legal-id TLARBITRATION0000015 --jurisdiction SG --roles Arbiter --admin $ARBITER 2>&1)
expect "the trade cast is admitted" "admitted member 12 " "$out"
$H token:mint --from 1 --currency MXN --to $IBANK --amount 100000 >/dev/null 2>&1
SHIP_BY=$(date -u -d "+14 days" +%F)
EXPIRES=$(date -u -d "+60 days" +%F)
out=$($H trade:create --from 5 --exporter 8 --importer-bank 9 --exporter-bank 4 --document PO-CC-1 --amount 1000 \
  --currency MXN --tranches 40:Shipped,30:Delivered,30:Inspected --ship-by "$SHIP_BY" --expires "$EXPIRES" 2>&1)
expect "trade:create creates an order" "created order 1: 1000.00 MXN paid out in MXN, 3 tranche\(s\)" "$out"
out=$($H trade:accept --from 6 --order 1 2>&1)
expect "trade:accept accepts" "accepted order 1" "$out"
out=$($H trade:fund --from 7 --order 1 2>&1)
expect "trade:fund locks the amount" "funded order 1: 1000.00 MXN locked in escrow" "$out"
out=$($H trade:attest --from 8 --order 1 --kind Shipped --document BL-1 --out "$work/shipped.json" 2>&1)
expect "trade:attest signs evidence" "signed Shipped evidence for order 1" "$out"
out=$($H trade:attest --order 1 --kind Shipped --document BL-1 --signatures "$work/shipped.json" 2>&1)
expect "trade:attest relays and pays" "tranche 1 paid 400.00 MXN to $EXPORTER \(UETR [0-9a-f-]{36}\)" "$out"
out=$($H trade:status --order 1 2>&1)
expect "trade:status shows what is awaited" "tranche 2: 30% on Delivered: awaits Delivered" "$out"
out=$($H trade:refund --order 1 --rule unshipped 2>&1); rc=$?
expect "a refund of a shipped order is refused, decoded" "error: reverted: TradeGoodsMoved\(id=1, evidenceDone=1\)" "$out"
[ "$rc" -ne 0 ] && echo "ok   the refused refund exits non-zero" || { echo "FAIL the refused refund exited 0"; fail=1; }
$H trade:attest --from 8 --order 1 --kind Delivered --document POD-1 --out "$work/delivered.json" >/dev/null 2>&1
$H trade:attest --order 1 --kind Delivered --document POD-1 --signatures "$work/delivered.json" >/dev/null 2>&1
out=$($H trade:dispute --from 5 --order 1 --reason BROKEN-GLASS 2>&1)
expect "trade:dispute disputes" "disputed order 1: an arbiter splits what remains in escrow by" "$out"
out=$($H trade:resolve --from 10 --order 1 --exporter-share 50 2>&1)
expect "trade:resolve splits what remains" "arbiter's award paid 150.00 MXN to $EXPORTER" "$out"
out=$($H trade:quote --from 9 --order 1 --sell MXN --buy CNY --rate 0.38 --max 1000 --out "$work/fx.json" 2>&1)
expect "trade:quote signs a quote for one order's payee" "FX quote MXN->CNY at 0.38, up to 1000 MXN, valid 300 s, for order 1 paying member 8; written to $work/fx.json" "$out"
out=$($H member:suspend --id 4 --reason AML-2026-0042 2>&1)
expect "member:suspend suspends" "suspended member 4" "$out"
out=$($H member:list 2>&1)
expect "member:list shows the suspension" "^4 +CN +Suspended +1 +$BANK +Lender,Financier" "$out"
out=$($H member:suspend --id 4 --reason AML-2026-0042 2>&1); rc=$?
expect "a refused task prints the decoded revert" "error: reverted: MemberInvalidTransition\(id=4, from=Suspended, to=Suspended\)" "$out"
[ "$rc" -ne 0 ] && echo "ok   a refused task exits non-zero" || { echo "FAIL a refused task exited 0"; fail=1; }

exit $fail

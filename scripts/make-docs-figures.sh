#!/usr/bin/env bash
# Regenerates the figures the README shows (docs/figures/) from the bundled scenarios.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
npx p2pmarket clear scenarios/seed-4node.json --plot -q --out "$out/seed"
npx p2pmarket clear scenarios/ieee33-day.json --plot -q --out "$out/day"
npx p2pmarket clear scenarios/ieee33-market.json --plot -q --out "$out/market"
npx p2pmarket clear scenarios/seed-bids.json --plot -q --out "$out/bids"
npx p2pmarket sweep scenarios/node0-sweep-b.json --plot -q --out "$out/b"
npx p2pmarket sweep scenarios/constraint-sweep.json --plot -q --out "$out/c"
npx p2pmarket sweep scenarios/stochastic-seed.json --plot -q --out "$out/s"
mkdir -p docs/figures
cp "$out/seed/figures/net-injection.svg" docs/figures/seed-net-injection.svg
cp "$out/seed/figures/step-bars.svg" docs/figures/seed-step-bars.svg
cp "$out/seed/figures/trade-prices.svg" docs/figures/seed-trade-prices.svg
cp "$out/day/figures/voltages.svg" docs/figures/ieee33-day-voltages.svg
cp "$out/day/figures/line-flows.svg" docs/figures/ieee33-day-line-flows.svg
cp "$out/day/figures/state-of-charge.svg" docs/figures/ieee33-day-state-of-charge.svg
cp "$out/market/figures/nodal-prices.svg" docs/figures/ieee33-market-nodal-prices.svg
cp "$out/bids/figures/trade-prices.svg" docs/figures/seed-bids-trade-prices.svg
cp "$out/b/figures/sweep-state-of-charge.svg" docs/figures/node0-study-b.svg
cp "$out/c/figures/sweep-battery-power.svg" docs/figures/constraint-study.svg
cp "$out/s/figures/fan-state-of-charge.svg" docs/figures/stochastic-fan.svg
echo "wrote docs/figures/"

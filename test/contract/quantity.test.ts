import { strict as assert } from "assert";
import { quantityBytes } from "../../change/apiRules";
import { parseQuantity, quantityNumber, quantityValue, readQuantity } from "../../contract/quantity";

/*
 * One reader of a Kubernetes quantity for the program, the pack and the change check
 * (contract/quantity.ts). The cases are apimachinery's own, read at kubernetes/apimachinery tag
 * v0.31.0 (commit a8f449e276fe566efddb149992049c78f0088492), pkg/api/resource/quantity_test.go:
 * TestQuantityParse (its table, its negated and "+" copies, its invalid list),
 * TestParseQuantityString and TestStringQuantityAsApproximateFloat64. The cases are restated, not
 * the code. Each expected value is written as upstream's decQuantity(i, exponent) writes it,
 * `i × 10^exponent`; the number is that exact value rounded once to a double.
 */

/** [input, i, exponent]: the quantity's value is i × 10^exponent. */
const PARSED: [string, bigint, number][] = [
  ["0", 0n, 0],
  ["0n", 0n, 0],
  ["0u", 0n, 0],
  ["0m", 0n, 0],
  ["0Ki", 0n, 0],
  ["0k", 0n, 0],
  ["0Mi", 0n, 0],
  ["0M", 0n, 0],
  ["0Gi", 0n, 0],
  ["0G", 0n, 0],
  ["0Ti", 0n, 0],
  ["0T", 0n, 0],
  ["1", 1n, 0],
  ["1Ki", 1024n, 0],
  ["8Ki", 8n * 1024n, 0],
  ["7Mi", 7n * 1024n ** 2n, 0],
  ["6Gi", 6n * 1024n ** 3n, 0],
  ["5Ti", 5n * 1024n ** 4n, 0],
  ["4Pi", 4n * 1024n ** 5n, 0],
  ["3Ei", 3n * 1024n ** 6n, 0],
  ["10Ti", 10n * 1024n ** 4n, 0],
  ["100Ti", 100n * 1024n ** 4n, 0],
  ["5n", 5n, -9],
  ["4u", 4n, -6],
  ["3m", 3n, -3],
  ["9", 9n, 0],
  ["8k", 8n, 3],
  ["50k", 5n, 4],
  ["7M", 7n, 6],
  ["6G", 6n, 9],
  ["5T", 5n, 12],
  ["40T", 4n, 13],
  ["300T", 3n, 14],
  ["2P", 2n, 15],
  ["1E", 1n, 18],
  ["1E-3", 1n, -3],
  ["1e3", 1n, 3],
  ["1E6", 1n, 6],
  ["1e9", 1n, 9],
  ["1E12", 1n, 12],
  ["1e15", 1n, 15],
  ["1E18", 1n, 18],
  ["1e14", 1n, 14],
  ["1e13", 1n, 13],
  ["100.035k", 100035n, 0],
  ["0.001", 1n, -3],
  ["0.0005k", 5n, -1],
  ["0.005", 5n, -3],
  ["0.05", 5n, -2],
  ["0.5", 5n, -1],
  ["0.00050k", 5n, -1],
  ["0.00500", 5n, -3],
  ["0.05000", 5n, -2],
  ["0.50000", 5n, -1],
  ["0.5e0", 5n, -1],
  ["0.5e-1", 5n, -2],
  ["0.5e-2", 5n, -3],
  ["10.035M", 10035n, 3],
  ["1.2e3", 12n, 2],
  ["1.3E+6", 13n, 5],
  ["1.40e9", 14n, 8],
  ["1.53E12", 153n, 10],
  ["1.6e15", 16n, 14],
  ["1.7E18", 17n, 17],
  ["9.01", 901n, -2],
  ["8.1k", 81n, 2],
  ["7.123456M", 7123456n, 0],
  ["6.987654321G", 6987654321n, 0],
  ["5.444T", 5444n, 9],
  ["40.1T", 401n, 11],
  ["300.2T", 3002n, 11],
  ["2.5P", 25n, 14],
  ["1.01E", 101n, 16],
  // Rounded up, away from zero, to a whole number of nanos.
  ["3.001n", 4n, -9],
  ["1.1E-9", 2n, -9],
  ["0.0000000001", 1n, -9],
  ["0.0000000005", 1n, -9],
  ["0.00000000050", 1n, -9],
  ["0.5e-9", 1n, -9],
  ["0.9n", 1n, -9],
  ["0.00000012345", 124n, -9],
  ["0.00000012354", 124n, -9],
  // A binary-suffixed quantity is capped at 2^63-1 (maxAllowed); a decimal one is not.
  ["9Ei", 2n ** 63n - 1n, 0],
  ["9223372036854775807Ki", 2n ** 63n - 1n, 0],
  ["12E", 12n, 18],
  ["100.035Ki", 10243584n, -2],
  ["0.5Mi", 524288n, 0],
  ["0.05Gi", 536870912n, -1],
  ["0.025Ti", 274877906944n, -1],
  ["0.000000000001Ki", 2n, -9],
  [".001", 1n, -3],
  [".0001k", 100n, -3],
  ["1.", 1n, 0],
  ["1.G", 1n, 9],
];

/** What ParseQuantity refuses (TestQuantityParse's invalid list, "" and a non-numeric text). */
const REFUSED = [
  "",
  "Non-Numeric",
  "1.1.M",
  "1+1.0M",
  "0.1mi",
  "0.1am",
  "aoeu",
  ".5i",
  "1i",
  "-3.01i",
  "-3.01e-",
  " 1",
  "1 ",
];

/** The exact value i × 10^exponent as a fraction in lowest decimal terms, for comparing. */
function canonical(i: bigint, exponent: number): string {
  if (i === 0n) return "0";
  let [m, e] = [i, exponent];
  while (m % 10n === 0n) [m, e] = [m / 10n, e + 1];
  return `${m}e${e}`;
}
const exactOf = (text: string) => {
  const q = readQuantity(text);
  return q && `${q.negative ? "-" : ""}${canonical(q.mantissa, q.exponent)}`;
};
/** The double nearest i × 10^exponent: JavaScript reads decimal text with one rounding. */
const nearest = (i: bigint, exponent: number) => Number(`${i}e${exponent}`);

describe("contract: one reader of apimachinery's quantity grammar", () => {
  it("reads every quantity of upstream's parse table at its exact value, and the number is that value rounded once", () => {
    for (const [text, i, exponent] of PARSED) {
      assert.equal(exactOf(text), canonical(i, exponent), text);
      assert.equal(quantityValue(text), nearest(i, exponent), text);
    }
  });

  it("reads each of them negated, and with an explicit +, as upstream's table does", () => {
    for (const [text, i, exponent] of PARSED) {
      const negative = i === 0n ? "0" : `-${canonical(i, exponent)}`;
      assert.equal(exactOf(`-${text}`), negative, `-${text}`);
      assert.equal(quantityValue(`-${text}`), i === 0n ? 0 : -nearest(i, exponent), `-${text}`);
      assert.equal(exactOf(`+${text}`), canonical(i, exponent), `+${text}`);
    }
  });

  it("refuses what ParseQuantity refuses; whitespace only where UnmarshalJSON trims it", () => {
    for (const text of REFUSED) assert.equal(readQuantity(text), undefined, JSON.stringify(text));
    // A manifest's value reaches ParseQuantity trimmed (UnmarshalJSON's strings.TrimSpace).
    assert.equal(quantityValue(" 1"), 1);
    assert.equal(quantityValue("1 "), 1);
    for (const bad of ["1K", "1g", "1t", "1ki", "1 Gi", "1e", "0x1", "1..2", null, undefined, {}, NaN])
      assert.equal(quantityValue(bad), undefined, JSON.stringify(bad) ?? "undefined");
  });

  it("splits the number as parseQuantityString does: a lone point or sign is zero, E-3 is an exponent", () => {
    for (const text of [".", "-.", "+", "-"]) assert.equal(quantityValue(text), 0, text);
    assert.equal(quantityValue("1E-3"), 0.001);
  });

  it("agrees with AsApproximateFloat64 on upstream's string cases", () => {
    assert.equal(quantityValue("2Ki"), 2048);
    assert.equal(quantityValue("1.1Ki"), 1126.4);
    assert.equal(quantityValue("1Mi"), 1.048576e6);
    assert.equal(quantityValue("2Gi"), 2.147483648e9);
  });

  it("gives one number to spellings the API server holds equal, where AsApproximateFloat64 gives two", () => {
    // AsApproximateFloat64 multiplies by math.Pow10(-3): 9 × 0.001 is 0.009000000000000001.
    for (const text of ["9m", "0.009", "9000u", "9000000n", "9e-3"])
      assert.equal(quantityValue(text), 0.009, text);
    assert.equal(quantityValue("1500m"), 1.5);
  });

  it("reads each of the first 100,000 whole milli values as upstream's exact value divided once: n / 1000", () => {
    const wrong: string[] = [];
    for (let n = 0; n < 100_000; n++) {
      const text = `${n}m`;
      const want = n / 1000;
      if (quantityValue(text) !== want || parseQuantity(text) !== want || quantityBytes(text) !== want)
        wrong.push(
          `${text}: ${quantityValue(text)}, ${parseQuantity(text)}, ${quantityBytes(text)}; want ${want}`,
        );
    }
    assert.deepEqual(wrong.slice(0, 5), []);
  });

  // Each answer here was also checked by running ParseQuantity of apimachinery v0.31.0.
  it("follows ParseQuantity at its edges: no digits, an int32 exponent, beyond a double", () => {
    // No digits: zero where its int64 path reads the text, refused (ErrNumeric) where inf.Dec does.
    assert.equal(quantityValue("Gi"), 0);
    assert.equal(quantityValue("e3"), 0);
    assert.equal(quantityValue("Pi"), undefined);
    assert.equal(quantityValue("e-10"), undefined);
    assert.equal(quantityValue("0e-10"), 0);
    // The exponent is strconv.ParseInt's int64, then an int32 that wraps.
    assert.equal(quantityValue("1e4294967296"), 1);
    assert.equal(quantityValue("12e9223372036854775807"), 1.2);
    assert.equal(quantityValue("1e9223372036854775808"), undefined);
    assert.equal(quantityValue("1e-400"), 1e-9);
    assert.equal(quantityValue("1e400"), Infinity);
    assert.equal(quantityValue("-12e500"), -Infinity);
    // More digits than a double holds: still rounded once (2^53 + 1 thousandths is a tie, to even).
    assert.equal(quantityValue("9007199254740993m"), 9007199254740.992);
    assert.equal(quantityValue("18014398509481985n"), 18014398.509481985);
    // Halfway between the doubles 2^60 and 2^60 + 2^8, give or take a nano: the nano decides.
    const halfway = (2n ** 60n + 2n ** 7n) * 10n ** 9n;
    assert.equal(quantityValue(`${halfway + 1n}n`), 2 ** 60 + 2 ** 8);
    assert.equal(quantityValue(`${halfway}n`), 2 ** 60);
    assert.equal(quantityValue(`${halfway - 1n}n`), 2 ** 60);
    assert.equal(
      quantityNumber(
        readQuantity(
          `${"179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042768293009"}e-9`,
        )!,
      ),
      1.7976931348623157e290,
    );
  });
});

describe("contract: parseQuantity keeps the forms a stack file may write", () => {
  it("reads the stack-file forms by the one reader, so the program, the pack and the change check agree", () => {
    for (const text of [
      "4",
      "3500m",
      "0.5",
      "8Gi",
      "512Mi",
      "1.5Gi",
      "10G",
      "2.5k",
      "70Gi",
      "1Ti",
      "3T",
      " 2 ",
    ])
      assert.equal(parseQuantity(text), quantityBytes(text), text);
    assert.equal(parseQuantity(3), 3);
  });

  it("refuses quantities Kubernetes reads but a stack file may not write", () => {
    for (const text of [
      "1e3",
      "-1",
      "+1",
      ".5",
      "1.",
      "1Pi",
      "1P",
      "1E",
      "1Ei",
      "1n",
      "1u",
      "Gi",
      "",
      "1GB",
      "1K",
    ])
      assert.equal(parseQuantity(text), undefined, text);
    assert.equal(parseQuantity(null), undefined);
  });
});

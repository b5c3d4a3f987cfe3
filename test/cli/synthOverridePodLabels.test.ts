/**
 * One message per mistake (issue 51 item 3) beside a pod label that only adds: a map of pod labels
 * the chart writes beside its own (model/podLabels.ts, held against Helm by
 * test/upstream/podLabelMaps.test.ts) cannot make a selector of `matchLabels` or `In` pick fewer
 * pods, so it is no cause of a NetworkPolicy rule nothing uses, and the rule goes under the one
 * override that is.
 */
import { strict as assert } from "assert";
import { refusedWith } from "../support/overrideStack";

describe("synth: a pod label that only adds is no cause of a rule nothing uses", function () {
  this.timeout(120_000);

  it("grafana's podLabels beside a renamed Loki port: the rules Grafana's and Vector's dials leave unused are the port's, one message", async () => {
    // `app.kubernetes.io/component` is a key the stack's selectors read, and Grafana's pods carry
    // none of their own: grafana 12.3.1 writes `podLabels` after its own labels (one of those keys
    // fails the render), so the label only adds. Was two messages: the rule admitting Loki's
    // `http-metrics` and Grafana's egress rule, "one of these" beside the label.
    const { text, messages } = await refusedWith(
      "    loki: {loki: {server: {http_listen_port: 3101}}}\n" +
        "    grafana: {podLabels: {app.kubernetes.io/component: dashboards}}\n",
      "example",
    );
    assert.equal(messages.length, 1, text);
    assert.match(messages[0], /\[network-egress\] NetworkPolicy monitoring\/grafana /, text);
    assert.match(
      messages[0],
      /from the stack's chart values override chartValues\.loki\.loki\.server\.http_listen_port \(/,
      text,
    );
    assert.doesNotMatch(text, /podLabels/, text);
  });
});

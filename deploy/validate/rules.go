package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
)

// A line of the rules file's header that declares a metric:
// `#   schemaflow_outbox_depth{service}   gauge   what it counts`.
var declaration = regexp.MustCompile(`^#\s+([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z0-9_,\s]*)\})?\s+(counter|gauge|histogram|summary)\b`)

// Labels every series has once scraped (the scrape configuration's target labels) and the
// bucket label of histograms.
var targetLabels = []string{"__name__", "job", "instance", "namespace", "pod", "le"}

// Series a histogram or summary named h is exposed as.
var histogramSuffixes = []string{"_bucket", "_sum", "_count"}

// checkRules parses a rules file as Prometheus loads it (unknown fields refused, every expression
// and template parsed) and checks each alert's labels and annotations, and that every metric and
// label an expression reads is declared in the file's header: that header is the contract the
// exporters are held to.
func checkRules(path string) (string, []string) {
	groups, errs := rulefmt.ParseFile(path, false, model.UTF8Validation, parser.NewParser(parser.Options{}), slog.New(slog.NewTextHandler(io.Discard, nil)))
	var problems []string
	for _, err := range errs {
		problems = append(problems, err.Error())
	}
	if groups == nil {
		return "", problems
	}
	metrics, labelNames, err := declaredMetrics(path)
	if err != nil {
		return "", append(problems, err.Error())
	}
	if len(metrics) == 0 {
		problems = append(problems, fmt.Sprintf("%s: its header declares no metrics (lines like `#   name{label,...}  counter  meaning`)", path))
	}
	p := parser.NewParser(parser.Options{})
	rules := 0
	for _, group := range groups.Groups {
		for _, rule := range group.Rules {
			rules++
			where := fmt.Sprintf("%s: group %s, rule %s%s", path, group.Name, rule.Alert, rule.Record)
			if rule.Alert != "" {
				if severity := rule.Labels["severity"]; severity != "critical" && severity != "warning" && severity != "info" {
					problems = append(problems, fmt.Sprintf("%s: labels.severity is %q, not critical, warning or info", where, severity))
				}
				for _, annotation := range []string{"summary", "description"} {
					if strings.TrimSpace(rule.Annotations[annotation]) == "" {
						problems = append(problems, fmt.Sprintf("%s: no %s annotation", where, annotation))
					}
				}
			}
			expr, err := p.ParseExpr(rule.Expr)
			if err != nil {
				continue // already reported by rulefmt
			}
			parser.Inspect(expr, func(node parser.Node, _ []parser.Node) error {
				switch n := node.(type) {
				case *parser.VectorSelector:
					if !metrics[n.Name] {
						problems = append(problems, fmt.Sprintf("%s: reads metric %q, which the header does not declare", where, n.Name))
					}
					for _, matcher := range n.LabelMatchers {
						if !labelNames[matcher.Name] {
							problems = append(problems, fmt.Sprintf("%s: selects on label %q, which no declared metric has", where, matcher.Name))
						}
					}
				case *parser.AggregateExpr:
					for _, label := range n.Grouping {
						if !labelNames[label] {
							problems = append(problems, fmt.Sprintf("%s: groups by label %q, which no declared metric has", where, label))
						}
					}
				}
				return nil
			})
		}
	}
	sort.Strings(problems)
	return fmt.Sprintf("rules ok: %d rules in %d groups, %d metrics declared", rules, len(groups.Groups), len(metrics)), problems
}

// declaredMetrics reads the header's declarations: the series names they stand for and every
// label name they and the scrape add.
func declaredMetrics(path string) (map[string]bool, map[string]bool, error) {
	content, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	metrics, labelNames := map[string]bool{}, map[string]bool{}
	for _, label := range targetLabels {
		labelNames[label] = true
	}
	for _, line := range strings.Split(string(content), "\n") {
		if !strings.HasPrefix(line, "#") {
			break // the header ends where the rules begin
		}
		match := declaration.FindStringSubmatch(line)
		if match == nil {
			continue
		}
		name, kind := match[1], match[4]
		metrics[name] = true
		if kind == "histogram" || kind == "summary" {
			for _, suffix := range histogramSuffixes {
				metrics[name+suffix] = true
			}
		}
		for _, label := range strings.Split(match[3], ",") {
			if label = strings.TrimSpace(label); label != "" {
				labelNames[label] = true
			}
		}
	}
	return metrics, labelNames, nil
}

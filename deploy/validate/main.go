// Command validate checks the deployment files in CI, without a cluster:
//
//	go -C deploy/validate run . [-rules ../prometheus/alerts.yaml] ../kubernetes
//
// Every YAML document under the manifests directory is decoded strictly into the Kubernetes API
// type its apiVersion and kind name (an unknown or misspelt field, a duplicate key or a value of
// the wrong type is an error naming it), every kustomization is built as `kubectl apply -k` would
// build it, and the result is held to the invariants in invariants.go (probes on /health and
// /ready, resources, disruption budgets, autoscaler targets, Secrets and their keys...). With
// -rules, a Prometheus rules file is parsed as Prometheus would load it, and every metric its
// expressions read must be listed in its header. It prints each problem on a line of its own
// and exits 1 if there is any.
//
//	go -C deploy/validate run . -env ../kubernetes
//
// prints instead each Deployment's environment as its containers would get it (JSON), for the
// test that starts every service from it.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	rules := flag.String("rules", "", "a Prometheus rules file to check as well")
	env := flag.String("env", "", "print the environment each Deployment of this kustomization gives its containers, and check nothing")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: validate [-rules alerts.yaml] <manifests directory>...  |  validate -env <kustomization directory>")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *env != "" {
		if err := printEnvironment(*env); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if flag.NArg() == 0 && *rules == "" {
		flag.Usage()
		os.Exit(2)
	}

	var problems []string
	for _, dir := range flag.Args() {
		summary, found := checkManifests(dir)
		problems = append(problems, found...)
		if len(found) == 0 {
			fmt.Println(summary)
		}
	}
	if *rules != "" {
		summary, found := checkRules(*rules)
		problems = append(problems, found...)
		if len(found) == 0 {
			fmt.Println(summary)
		}
	}
	for _, problem := range problems {
		fmt.Fprintln(os.Stderr, problem)
	}
	if len(problems) > 0 {
		fmt.Fprintf(os.Stderr, "%d problem(s)\n", len(problems))
		os.Exit(1)
	}
}

package main

import "fmt"

func checkRules(path string) (string, []string) {
	return "", []string{fmt.Sprintf("%s: checking rules is not built yet", path)}
}

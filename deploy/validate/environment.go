package main

import (
	"encoding/json"
	"fmt"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// variable is one environment variable as the kubelet would give it: a literal value, or a
// reference to a Secret's key (whose value the cluster holds).
type variable struct {
	Value    *string `json:"value,omitempty"`
	Secret   string  `json:"secret,omitempty"`
	Key      string  `json:"key,omitempty"`
	Optional bool    `json:"optional,omitempty"`
}

// printEnvironment builds dir and prints, as JSON, every Deployment's containers' environment
// resolved as the kubelet resolves it (envFrom ConfigMaps in order, then env), so that a test can
// start each service with exactly what its manifest gives it.
func printEnvironment(dir string) error {
	objects, problems := build(dir)
	if len(problems) > 0 {
		return fmt.Errorf("%s: %v", dir, problems)
	}
	configMaps := map[string]*corev1.ConfigMap{}
	var deployments []*appsv1.Deployment
	for _, o := range objects {
		switch v := o.value.(type) {
		case *corev1.ConfigMap:
			configMaps[key(v.Namespace, v.Name)] = v
		case *appsv1.Deployment:
			deployments = append(deployments, v)
		}
	}
	sort.Slice(deployments, func(i, j int) bool { return deployments[i].Name < deployments[j].Name })
	result := map[string]map[string]map[string]variable{}
	for _, d := range deployments {
		result[d.Name] = map[string]map[string]variable{}
		for _, c := range d.Spec.Template.Spec.Containers {
			env := map[string]variable{}
			for _, from := range c.EnvFrom {
				if from.ConfigMapRef == nil {
					return fmt.Errorf("Deployment %s: container %q: only envFrom ConfigMaps can be resolved here", d.Name, c.Name)
				}
				cm := configMaps[key(d.Namespace, from.ConfigMapRef.Name)]
				if cm == nil {
					return fmt.Errorf("Deployment %s: container %q: ConfigMap %q is not in the build", d.Name, c.Name, from.ConfigMapRef.Name)
				}
				for name, value := range cm.Data {
					env[from.Prefix+name] = variable{Value: &value}
				}
			}
			for _, e := range c.Env {
				switch {
				case e.ValueFrom == nil:
					value := e.Value
					env[e.Name] = variable{Value: &value}
				case e.ValueFrom.SecretKeyRef != nil:
					ref := e.ValueFrom.SecretKeyRef
					env[e.Name] = variable{Secret: ref.Name, Key: ref.Key, Optional: ref.Optional != nil && *ref.Optional}
				default:
					return fmt.Errorf("Deployment %s: container %q: env %s: only values and secretKeyRefs can be resolved here", d.Name, c.Name, e.Name)
				}
			}
			result[d.Name][c.Name] = env
		}
	}
	out, err := json.MarshalIndent(result, "", "  ")
	if err != nil {
		return err
	}
	fmt.Println(string(out))
	return nil
}

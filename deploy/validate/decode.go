package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	sigsjson "sigs.k8s.io/json"
	kustomize "sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/yaml"
)

// The API groups the manifests may use. A kind outside them is an error rather than a document
// nobody checked.
var scheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		corev1.AddToScheme, appsv1.AddToScheme, policyv1.AddToScheme, autoscalingv2.AddToScheme, networkingv1.AddToScheme,
	} {
		if err := add(s); err != nil {
			panic(err)
		}
	}
	return s
}()

// document is one YAML document of a file, as JSON, with where it came from.
type document struct {
	file  string
	index int // 1-based, within the file
	json  []byte
	meta  metav1.TypeMeta
	name  string
}

func (d document) String() string {
	if d.meta.Kind == "" {
		return fmt.Sprintf("%s: document %d", d.file, d.index)
	}
	return fmt.Sprintf("%s: document %d (%s %s)", d.file, d.index, d.meta.Kind, d.name)
}

// readDocuments splits a YAML file into its documents (skipping those with nothing but comments)
// and converts each to JSON, refusing duplicate keys.
func readDocuments(file string) ([]document, error) {
	content, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return readDocumentsFrom(file, content)
}

func readDocumentsFrom(file string, content []byte) ([]document, error) {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(content)))
	var documents []document
	for index := 1; ; index++ {
		raw, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return documents, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		if len(bytes.TrimSpace(stripComments(raw))) == 0 {
			index--
			continue
		}
		doc := document{file: file, index: index}
		if doc.json, err = yaml.YAMLToJSONStrict(raw); err != nil {
			return nil, fmt.Errorf("%s: %w", doc, err)
		}
		var head struct {
			metav1.TypeMeta `json:",inline"`
			Metadata        struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal(doc.json, &head); err != nil {
			return nil, fmt.Errorf("%s: %w", doc, err)
		}
		doc.meta, doc.name = head.TypeMeta, head.Metadata.Name
		documents = append(documents, doc)
	}
}

func stripComments(raw []byte) []byte {
	var kept []string
	for _, line := range strings.Split(string(raw), "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			kept = append(kept, line)
		}
	}
	return []byte(strings.Join(kept, "\n"))
}

// strict decodes JSON into target, failing on unknown and duplicate fields with their paths
// (`unknown field "spec.template.spec.containers[0].readinesProbe"`), as the API server's strict
// field validation does.
func strict(data []byte, target any) error {
	strictErrors, err := sigsjson.UnmarshalStrict(data, target, sigsjson.DisallowDuplicateFields, sigsjson.DisallowUnknownFields)
	if err != nil {
		return err
	}
	if len(strictErrors) > 0 {
		messages := make([]string, len(strictErrors))
		for i, e := range strictErrors {
			messages[i] = e.Error()
		}
		return errors.New(strings.Join(messages, "; "))
	}
	return nil
}

// decodeObject decodes a manifest into the typed object its apiVersion and kind name.
func decodeObject(doc document) (runtime.Object, error) {
	if doc.meta.APIVersion == "" || doc.meta.Kind == "" {
		return nil, fmt.Errorf("%s: no apiVersion or kind", doc)
	}
	gvk := schema.FromAPIVersionAndKind(doc.meta.APIVersion, doc.meta.Kind)
	object, err := scheme.New(gvk)
	if err != nil {
		return nil, fmt.Errorf("%s: %s/%s is not a kind this check knows (add its API group to decode.go if it is meant)", doc, doc.meta.APIVersion, doc.meta.Kind)
	}
	if err := strict(doc.json, object); err != nil {
		return nil, fmt.Errorf("%s: %w", doc, err)
	}
	return object, nil
}

// decodeKustomization decodes a kustomization.yaml strictly.
func decodeKustomization(doc document) (*kustomize.Kustomization, error) {
	var k kustomize.Kustomization
	if err := strict(doc.json, &k); err != nil {
		return nil, fmt.Errorf("%s: %w", doc, err)
	}
	if k.Kind != kustomize.KustomizationKind && k.Kind != kustomize.ComponentKind {
		return nil, fmt.Errorf("%s: kind %q is neither %s nor %s", doc, k.Kind, kustomize.KustomizationKind, kustomize.ComponentKind)
	}
	return &k, nil
}

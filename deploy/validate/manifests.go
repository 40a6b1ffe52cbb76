package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/kustomize/api/krusty"
	kustomize "sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// exampleSuffix marks files that document what the operator creates (Secrets with placeholder
// values, the supergraph ConfigMap): decoded and used to resolve references, never applied.
const exampleSuffix = ".example.yaml"

// object is one decoded manifest, named as problems name it.
type object struct {
	id     string // "Deployment schemaflow/gateway"
	source string // where it came from
	value  runtime.Object
}

func isYAML(path string) bool {
	return strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")
}

// checkManifests decodes every file under root strictly, builds every kustomization and checks
// what each build produces.
func checkManifests(root string) (summary string, problems []string) {
	info, err := os.Stat(root)
	if err != nil || !info.IsDir() {
		return "", []string{fmt.Sprintf("%s: not a directory", root)}
	}
	kustomizations := map[string]*kustomize.Kustomization{}
	filesByDir := map[string][]string{}
	var provided []object
	files := 0
	walkErr := filepath.WalkDir(root, func(path string, entry fs.DirEntry, err error) error {
		if err != nil || entry.IsDir() || !isYAML(path) {
			return err
		}
		files++
		dir, name := filepath.Split(path)
		dir = filepath.Clean(dir)
		docs, err := readDocuments(path)
		if err != nil {
			problems = append(problems, err.Error())
			return nil
		}
		if name == "kustomization.yaml" || name == "kustomization.yml" {
			if len(docs) != 1 {
				problems = append(problems, fmt.Sprintf("%s: a kustomization is one YAML document, found %d", path, len(docs)))
				return nil
			}
			k, err := decodeKustomization(docs[0])
			if err != nil {
				problems = append(problems, err.Error())
				return nil
			}
			kustomizations[dir] = k
			return nil
		}
		filesByDir[dir] = append(filesByDir[dir], name)
		for _, doc := range docs {
			value, err := decodeObject(doc)
			if err != nil {
				problems = append(problems, err.Error())
				continue
			}
			if strings.HasSuffix(name, exampleSuffix) {
				provided = append(provided, object{id: idOf(value), source: doc.String(), value: value})
				if secret, ok := value.(*corev1.Secret); ok {
					problems = append(problems, checkPlaceholders(doc.String(), secret)...)
				}
			}
		}
		return nil
	})
	if walkErr != nil {
		return "", append(problems, walkErr.Error())
	}
	problems = append(problems, unlistedFiles(filesByDir, kustomizations)...)

	// A kustomization another one includes (base/) is checked within the builds that include it.
	included := map[string]bool{}
	for dir, k := range kustomizations {
		for _, entry := range append(append([]string{}, k.Resources...), k.Components...) {
			included[filepath.Join(dir, entry)] = true
		}
	}
	dirs := make([]string, 0, len(kustomizations))
	for dir, k := range kustomizations {
		if k.Kind == kustomize.KustomizationKind && !included[dir] {
			dirs = append(dirs, dir)
		}
	}
	sort.Strings(dirs)
	var builds []string
	for _, dir := range dirs {
		objects, found := build(dir)
		if found == nil {
			found = checkInvariants(objects, provided)
		}
		for _, problem := range found {
			problems = append(problems, fmt.Sprintf("%s (kustomize build): %s", dir, problem))
		}
		builds = append(builds, fmt.Sprintf("%s: %d objects", dir, len(objects)))
	}
	if len(dirs) == 0 {
		problems = append(problems, fmt.Sprintf("%s: no kustomization.yaml", root))
	}
	return fmt.Sprintf("manifests ok: %d files decoded strictly, %d builds checked (%s), %d operator-provided objects documented",
		files, len(dirs), strings.Join(builds, "; "), len(provided)), problems
}

// unlistedFiles: a manifest beside a kustomization that it does not list would silently never
// be applied.
func unlistedFiles(filesByDir map[string][]string, kustomizations map[string]*kustomize.Kustomization) (problems []string) {
	for dir, names := range filesByDir {
		k := kustomizations[dir]
		listed := map[string]bool{}
		if k != nil {
			for _, entry := range k.Resources {
				listed[filepath.Clean(entry)] = true
			}
			for _, entry := range k.Components {
				listed[filepath.Clean(entry)] = true
			}
			for _, patch := range k.Patches {
				if patch.Path != "" {
					listed[filepath.Clean(patch.Path)] = true
				}
			}
			for _, patch := range k.PatchesStrategicMerge {
				listed[filepath.Clean(string(patch))] = true
			}
		}
		for _, name := range names {
			if !strings.HasSuffix(name, exampleSuffix) && !listed[name] {
				problems = append(problems, fmt.Sprintf("%s: listed by no kustomization.yaml in its folder (list it, or name it *%s if the operator creates it)", filepath.Join(dir, name), exampleSuffix))
			}
		}
	}
	sort.Strings(problems)
	return problems
}

// build runs kustomize as `kubectl apply -k dir` does and decodes what it produces strictly again
// (patches and transformers could have brought in what the files alone did not show).
func build(dir string) (objects []object, problems []string) {
	resources, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, []string{err.Error()}
	}
	for _, resource := range resources.Resources() {
		raw, err := resource.AsYAML()
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", resource.CurId(), err))
			continue
		}
		source := "built"
		docs, err := readDocumentsFrom(source, raw)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		for _, doc := range docs {
			value, err := decodeObject(doc)
			if err != nil {
				problems = append(problems, err.Error())
				continue
			}
			objects = append(objects, object{id: idOf(value), source: source, value: value})
		}
	}
	return objects, problems
}

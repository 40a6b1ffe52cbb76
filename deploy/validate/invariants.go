package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// What the services serve (lib/httpServer.ts): liveness, readiness and metrics paths.
const (
	livenessPath  = "/health"
	readinessPath = "/ready"
	metricsPath   = "/metrics"
)

// After SHUTDOWN_DELAY_MS a stopping process gives requests in flight up to 10 s (DRAIN_MS in
// lib/httpServer.ts), then closes its database and broker clients: the grace period must cover
// the delay plus this, or the kubelet kills requests still being answered.
const drainAllowanceMs = 20_000

func idOf(value runtime.Object) string {
	kind := value.GetObjectKind().GroupVersionKind().Kind
	accessor, err := meta.Accessor(value)
	if err != nil {
		return kind
	}
	if accessor.GetNamespace() == "" {
		return fmt.Sprintf("%s %s", kind, accessor.GetName())
	}
	return fmt.Sprintf("%s %s/%s", kind, accessor.GetNamespace(), accessor.GetName())
}

// index is what one build holds, by kind, with the operator-provided ConfigMaps and Secrets.
type index struct {
	deployments []*appsv1.Deployment
	pdbs        []*policyv1.PodDisruptionBudget
	hpas        []*autoscalingv2.HorizontalPodAutoscaler
	services    []*corev1.Service
	policies    []*networkingv1.NetworkPolicy
	namespaces  map[string]bool
	configMaps  map[string]*corev1.ConfigMap // by namespace/name
	secrets     map[string]*corev1.Secret
}

func key(namespace, name string) string { return namespace + "/" + name }

func newIndex(objects, provided []object) (*index, []string) {
	idx := &index{namespaces: map[string]bool{}, configMaps: map[string]*corev1.ConfigMap{}, secrets: map[string]*corev1.Secret{}}
	var problems []string
	for _, o := range objects {
		switch v := o.value.(type) {
		case *corev1.Namespace:
			idx.namespaces[v.Name] = true
		case *appsv1.Deployment:
			idx.deployments = append(idx.deployments, v)
		case *policyv1.PodDisruptionBudget:
			idx.pdbs = append(idx.pdbs, v)
		case *autoscalingv2.HorizontalPodAutoscaler:
			idx.hpas = append(idx.hpas, v)
		case *corev1.Service:
			idx.services = append(idx.services, v)
		case *networkingv1.NetworkPolicy:
			idx.policies = append(idx.policies, v)
		case *corev1.ConfigMap:
			idx.configMaps[key(v.Namespace, v.Name)] = v
		case *corev1.Secret:
			problems = append(problems, fmt.Sprintf("%s: a Secret in the manifests would carry its values into the repository; document it in a *%s file instead", o.id, exampleSuffix))
		}
	}
	for _, o := range provided {
		switch v := o.value.(type) {
		case *corev1.ConfigMap:
			idx.configMaps[key(v.Namespace, v.Name)] = v
		case *corev1.Secret:
			idx.secrets[key(v.Namespace, v.Name)] = v
		default:
			problems = append(problems, fmt.Sprintf("%s: only ConfigMaps and Secrets are documented as operator-provided, not %s", o.source, o.id))
		}
	}
	return idx, problems
}

// placeholder starts every value of a documented Secret, so that a real one pasted in stands out.
const placeholder = "REPLACE"

// checkPlaceholders: the documented Secrets carry placeholders only, in readable stringData.
func checkPlaceholders(source string, secret *corev1.Secret) (problems []string) {
	if len(secret.Data) > 0 {
		problems = append(problems, fmt.Sprintf("%s: documents its keys under data (base64); use stringData with %s... placeholders", source, placeholder))
	}
	for name, value := range secret.StringData {
		if !strings.HasPrefix(value, placeholder) {
			problems = append(problems, fmt.Sprintf("%s: %s is not a placeholder (it must start with %s): never commit a real secret", source, name, placeholder))
		}
	}
	return problems
}

func checkInvariants(objects, provided []object) []string {
	idx, problems := newIndex(objects, provided)
	for _, o := range objects {
		accessor, err := meta.Accessor(o.value)
		if err != nil {
			continue
		}
		if _, isNamespace := o.value.(*corev1.Namespace); !isNamespace {
			if accessor.GetNamespace() == "" {
				problems = append(problems, fmt.Sprintf("%s: no namespace (set `namespace:` in the kustomization)", o.id))
			} else if !idx.namespaces[accessor.GetNamespace()] {
				problems = append(problems, fmt.Sprintf("%s: namespace %q is not created by this build", o.id, accessor.GetNamespace()))
			}
		}
	}
	for _, o := range provided {
		accessor, _ := meta.Accessor(o.value)
		if !idx.namespaces[accessor.GetNamespace()] {
			problems = append(problems, fmt.Sprintf("%s: namespace %q is not the one this build creates", o.source, accessor.GetNamespace()))
		}
	}
	if len(idx.deployments) == 0 {
		problems = append(problems, "no Deployment")
	}
	for _, d := range idx.deployments {
		for _, problem := range checkDeployment(d, idx) {
			problems = append(problems, fmt.Sprintf("Deployment %s/%s: %s", d.Namespace, d.Name, problem))
		}
	}
	problems = append(problems, checkAutoscalers(idx)...)
	problems = append(problems, checkServices(idx)...)
	problems = append(problems, checkSelectors(idx)...)
	sort.Strings(problems)
	return problems
}

func selects(selector *metav1.LabelSelector, podLabels map[string]string) bool {
	if selector == nil {
		return false
	}
	s, err := metav1.LabelSelectorAsSelector(selector)
	return err == nil && !s.Empty() && s.Matches(labels.Set(podLabels))
}

func checkDeployment(d *appsv1.Deployment, idx *index) (problems []string) {
	pod := d.Spec.Template
	if !selects(d.Spec.Selector, pod.Labels) {
		problems = append(problems, "spec.selector does not select the pod template's labels")
	}
	problems = append(problems, checkScrapeAnnotations(pod)...)
	problems = append(problems, checkDisruptionBudget(d, idx)...)
	for _, hpa := range idx.hpas {
		if targets(hpa, d) && d.Spec.Replicas != nil {
			problems = append(problems, fmt.Sprintf("spec.replicas is set although HorizontalPodAutoscaler %s owns the count (every apply would reset it)", hpa.Name))
		}
	}

	spec := pod.Spec
	podSecurity := spec.SecurityContext
	if podSecurity == nil {
		podSecurity = &corev1.PodSecurityContext{}
	}
	if podSecurity.SeccompProfile == nil || podSecurity.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		problems = append(problems, "spec.template.spec.securityContext.seccompProfile.type is not RuntimeDefault")
	}
	for _, volume := range spec.Volumes {
		if cm := volume.ConfigMap; cm != nil && (cm.Optional == nil || !*cm.Optional) && idx.configMaps[key(d.Namespace, cm.Name)] == nil {
			problems = append(problems, fmt.Sprintf("volume %q: ConfigMap %q is neither in the build nor documented in a *%s file", volume.Name, cm.Name, exampleSuffix))
		}
		if s := volume.Secret; s != nil && (s.Optional == nil || !*s.Optional) && idx.secrets[key(d.Namespace, s.SecretName)] == nil {
			problems = append(problems, fmt.Sprintf("volume %q: Secret %q is not documented in a *%s file", volume.Name, s.SecretName, exampleSuffix))
		}
	}
	if len(spec.Containers) == 0 {
		problems = append(problems, "no containers")
	}
	for i := range spec.Containers {
		c := &spec.Containers[i]
		for _, problem := range checkContainer(c, spec, podSecurity, d.Namespace, idx) {
			problems = append(problems, fmt.Sprintf("container %q: %s", c.Name, problem))
		}
	}
	return problems
}

func checkScrapeAnnotations(pod corev1.PodTemplateSpec) (problems []string) {
	annotations := pod.Annotations
	if annotations["prometheus.io/scrape"] != "true" {
		problems = append(problems, `pod template lacks the annotation prometheus.io/scrape: "true"`)
	}
	if annotations["prometheus.io/path"] != metricsPath {
		problems = append(problems, fmt.Sprintf("pod template annotation prometheus.io/path is %q, not %q", annotations["prometheus.io/path"], metricsPath))
	}
	port, err := strconv.Atoi(annotations["prometheus.io/port"])
	if err != nil {
		problems = append(problems, fmt.Sprintf("pod template annotation prometheus.io/port is %q, not a port number", annotations["prometheus.io/port"]))
		return problems
	}
	for _, c := range pod.Spec.Containers {
		for _, p := range c.Ports {
			if int(p.ContainerPort) == port {
				return problems
			}
		}
	}
	return append(problems, fmt.Sprintf("prometheus.io/port %d is no container's port", port))
}

// checkDisruptionBudget: exactly one budget per Deployment (the eviction API refuses pods that
// several budgets cover), and not one that forbids every eviction of a fixed-size Deployment
// (node drains would hang forever).
func checkDisruptionBudget(d *appsv1.Deployment, idx *index) (problems []string) {
	var matching []*policyv1.PodDisruptionBudget
	for _, pdb := range idx.pdbs {
		if pdb.Namespace == d.Namespace && selects(pdb.Spec.Selector, d.Spec.Template.Labels) {
			matching = append(matching, pdb)
		}
	}
	switch {
	case len(matching) == 0:
		return []string{"no PodDisruptionBudget selects its pods"}
	case len(matching) > 1:
		return []string{fmt.Sprintf("%d PodDisruptionBudgets select its pods (the eviction API refuses such pods)", len(matching))}
	}
	pdb := matching[0]
	if (pdb.Spec.MinAvailable == nil) == (pdb.Spec.MaxUnavailable == nil) {
		return []string{fmt.Sprintf("PodDisruptionBudget %s sets neither or both of minAvailable and maxUnavailable", pdb.Name)}
	}
	if d.Spec.Replicas != nil {
		replicas := int(*d.Spec.Replicas)
		if min := pdb.Spec.MinAvailable; min != nil && min.Type == intstr.Int && min.IntValue() >= replicas {
			problems = append(problems, fmt.Sprintf("PodDisruptionBudget %s keeps minAvailable %d of %d replicas: no pod could ever be evicted (node drains would hang)", pdb.Name, min.IntValue(), replicas))
		}
		if max := pdb.Spec.MaxUnavailable; max != nil && max.Type == intstr.Int && max.IntValue() == 0 {
			problems = append(problems, fmt.Sprintf("PodDisruptionBudget %s allows no pod to be unavailable: node drains would hang", pdb.Name))
		}
	}
	return problems
}

func checkContainer(c *corev1.Container, pod corev1.PodSpec, podSecurity *corev1.PodSecurityContext, namespace string, idx *index) (problems []string) {
	problems = append(problems, checkProbe("livenessProbe", c.LivenessProbe, livenessPath, c)...)
	problems = append(problems, checkProbe("readinessProbe", c.ReadinessProbe, readinessPath, c)...)
	problems = append(problems, checkProbe("startupProbe", c.StartupProbe, livenessPath, c)...)
	problems = append(problems, checkResources(c.Resources)...)
	problems = append(problems, checkSecurity(c, podSecurity)...)

	mounts := map[string]bool{}
	for _, mount := range c.VolumeMounts {
		mounts[mount.MountPath] = true
		for _, volume := range pod.Volumes {
			if volume.Name == mount.Name && volume.ConfigMap != nil && (mount.SubPath != "" || mount.SubPathExpr != "") {
				problems = append(problems, fmt.Sprintf("volumeMount %q mounts one file of ConfigMap %q (subPath): the kubelet never updates such a mount, so a new version would not reach the process; mount the directory", mount.Name, volume.ConfigMap.Name))
			}
		}
	}
	if c.SecurityContext != nil && c.SecurityContext.ReadOnlyRootFilesystem != nil && *c.SecurityContext.ReadOnlyRootFilesystem && !mounts["/tmp"] {
		problems = append(problems, "read-only root filesystem without a volume at /tmp: tsx, which runs the services' TypeScript, cannot start without a writable temporary directory")
	}

	shutdownDelayMs := 0
	if value, found := envValue(c, "SHUTDOWN_DELAY_MS", namespace, idx); found {
		parsed, err := strconv.Atoi(value)
		if err != nil {
			problems = append(problems, fmt.Sprintf("SHUTDOWN_DELAY_MS is %q, not a number of milliseconds", value))
		}
		shutdownDelayMs = parsed
	}
	if pod.TerminationGracePeriodSeconds == nil {
		problems = append(problems, "no terminationGracePeriodSeconds in its pod spec")
	} else if grace := int(*pod.TerminationGracePeriodSeconds) * 1000; grace < shutdownDelayMs+drainAllowanceMs {
		problems = append(problems, fmt.Sprintf("terminationGracePeriodSeconds %d is below SHUTDOWN_DELAY_MS %d ms + %d ms to drain and close: requests in flight would be killed", grace/1000, shutdownDelayMs, drainAllowanceMs))
	}
	problems = append(problems, checkEnvironment(c, namespace, idx)...)
	return problems
}

func checkProbe(field string, probe *corev1.Probe, path string, c *corev1.Container) []string {
	if probe == nil {
		return []string{fmt.Sprintf("no %s", field)}
	}
	if probe.HTTPGet == nil {
		return []string{fmt.Sprintf("%s is not an httpGet probe of %s", field, path)}
	}
	var problems []string
	if probe.HTTPGet.Path != path {
		problems = append(problems, fmt.Sprintf("%s.httpGet.path is %q, not %q", field, probe.HTTPGet.Path, path))
	}
	if !hasPort(c, probe.HTTPGet.Port) {
		problems = append(problems, fmt.Sprintf("%s.httpGet.port %s is not one of its ports", field, probe.HTTPGet.Port.String()))
	}
	if probe.TimeoutSeconds == 0 {
		problems = append(problems, fmt.Sprintf("%s has no timeoutSeconds (the default of 1 s fails a busy process)", field))
	}
	return problems
}

func hasPort(c *corev1.Container, port intstr.IntOrString) bool {
	for _, p := range c.Ports {
		if (port.Type == intstr.String && p.Name == port.StrVal) || (port.Type == intstr.Int && p.ContainerPort == port.IntVal) {
			return true
		}
	}
	return false
}

func checkResources(resources corev1.ResourceRequirements) (problems []string) {
	for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if _, ok := resources.Requests[name]; !ok {
			problems = append(problems, fmt.Sprintf("no resources.requests.%s (the scheduler and CPU autoscaling need it)", name))
		}
	}
	if _, ok := resources.Limits[corev1.ResourceMemory]; !ok {
		problems = append(problems, "no resources.limits.memory")
	}
	for name, request := range resources.Requests {
		if limit, ok := resources.Limits[name]; ok && request.Cmp(limit) > 0 {
			problems = append(problems, fmt.Sprintf("resources.requests.%s %s is above its limit %s", name, request.String(), limit.String()))
		}
	}
	return problems
}

func checkSecurity(c *corev1.Container, podSecurity *corev1.PodSecurityContext) (problems []string) {
	security := c.SecurityContext
	if security == nil {
		security = &corev1.SecurityContext{}
	}
	runAsNonRoot := security.RunAsNonRoot
	if runAsNonRoot == nil {
		runAsNonRoot = podSecurity.RunAsNonRoot
	}
	if runAsNonRoot == nil || !*runAsNonRoot {
		problems = append(problems, "runAsNonRoot is not true (in its or the pod's securityContext)")
	}
	runAsUser := security.RunAsUser
	if runAsUser == nil {
		runAsUser = podSecurity.RunAsUser
	}
	// The images name their user (`USER node`), which the kubelet cannot prove non-root by itself.
	if runAsUser == nil || *runAsUser == 0 {
		problems = append(problems, "no non-zero runAsUser: with runAsNonRoot the kubelet refuses an image whose USER is a name")
	}
	if security.AllowPrivilegeEscalation == nil || *security.AllowPrivilegeEscalation {
		problems = append(problems, "securityContext.allowPrivilegeEscalation is not false")
	}
	if security.ReadOnlyRootFilesystem == nil || !*security.ReadOnlyRootFilesystem {
		problems = append(problems, "securityContext.readOnlyRootFilesystem is not true")
	}
	dropsAll := false
	if security.Capabilities != nil {
		for _, capability := range security.Capabilities.Drop {
			dropsAll = dropsAll || capability == "ALL"
		}
	}
	if !dropsAll {
		problems = append(problems, "securityContext.capabilities.drop does not include ALL")
	}
	return problems
}

// envValue is what a variable will be in the container: its env entry, else the last envFrom
// ConfigMap that has it (as the kubelet resolves them).
func envValue(c *corev1.Container, name, namespace string, idx *index) (string, bool) {
	for _, env := range c.Env {
		if env.Name == name && env.ValueFrom == nil {
			return env.Value, true
		}
	}
	for i := len(c.EnvFrom) - 1; i >= 0; i-- {
		if ref := c.EnvFrom[i].ConfigMapRef; ref != nil {
			if cm := idx.configMaps[key(namespace, ref.Name)]; cm != nil {
				if value, ok := cm.Data[c.EnvFrom[i].Prefix+name]; ok {
					return value, true
				}
			}
		}
	}
	return "", false
}

func secretHasKey(secret *corev1.Secret, name string) bool {
	if _, ok := secret.StringData[name]; ok {
		return true
	}
	_, ok := secret.Data[name]
	return ok
}

// checkEnvironment: every reference resolves, so that no pod waits in CreateContainerConfigError
// for a Secret key nobody was told to create.
func checkEnvironment(c *corev1.Container, namespace string, idx *index) (problems []string) {
	seen := map[string]bool{}
	for _, env := range c.Env {
		if seen[env.Name] {
			problems = append(problems, fmt.Sprintf("env %s is given twice (the last one silently wins)", env.Name))
		}
		seen[env.Name] = true
		if env.ValueFrom == nil {
			continue
		}
		if ref := env.ValueFrom.SecretKeyRef; ref != nil {
			secret := idx.secrets[key(namespace, ref.Name)]
			switch {
			case secret == nil:
				problems = append(problems, fmt.Sprintf("env %s: Secret %q is not documented in a *%s file", env.Name, ref.Name, exampleSuffix))
			case !secretHasKey(secret, ref.Key):
				problems = append(problems, fmt.Sprintf("env %s: Secret %q as documented has no key %q", env.Name, ref.Name, ref.Key))
			}
		}
		if ref := env.ValueFrom.ConfigMapKeyRef; ref != nil {
			cm := idx.configMaps[key(namespace, ref.Name)]
			if cm == nil {
				problems = append(problems, fmt.Sprintf("env %s: ConfigMap %q is neither in the build nor documented", env.Name, ref.Name))
			} else if _, ok := cm.Data[ref.Key]; !ok {
				problems = append(problems, fmt.Sprintf("env %s: ConfigMap %q has no key %q", env.Name, ref.Name, ref.Key))
			}
		}
	}
	for _, from := range c.EnvFrom {
		if ref := from.ConfigMapRef; ref != nil && (ref.Optional == nil || !*ref.Optional) && idx.configMaps[key(namespace, ref.Name)] == nil {
			problems = append(problems, fmt.Sprintf("envFrom: ConfigMap %q is neither in the build nor documented", ref.Name))
		}
		if ref := from.SecretRef; ref != nil && (ref.Optional == nil || !*ref.Optional) && idx.secrets[key(namespace, ref.Name)] == nil {
			problems = append(problems, fmt.Sprintf("envFrom: Secret %q is not documented in a *%s file", ref.Name, exampleSuffix))
		}
	}
	return problems
}

func targets(hpa *autoscalingv2.HorizontalPodAutoscaler, d *appsv1.Deployment) bool {
	ref := hpa.Spec.ScaleTargetRef
	return hpa.Namespace == d.Namespace && ref.Kind == "Deployment" && ref.APIVersion == "apps/v1" && ref.Name == d.Name
}

func checkAutoscalers(idx *index) (problems []string) {
	for _, hpa := range idx.hpas {
		id := fmt.Sprintf("HorizontalPodAutoscaler %s/%s", hpa.Namespace, hpa.Name)
		found := false
		for _, d := range idx.deployments {
			found = found || targets(hpa, d)
		}
		if !found {
			ref := hpa.Spec.ScaleTargetRef
			problems = append(problems, fmt.Sprintf("%s: its target %s %s %q is not in the build", id, ref.APIVersion, ref.Kind, ref.Name))
		}
		if hpa.Spec.MinReplicas == nil || *hpa.Spec.MinReplicas < 1 || hpa.Spec.MaxReplicas < *hpa.Spec.MinReplicas {
			problems = append(problems, fmt.Sprintf("%s: needs 1 <= minReplicas <= maxReplicas", id))
		}
		onCPU := false
		for _, metric := range hpa.Spec.Metrics {
			onCPU = onCPU || (metric.Type == autoscalingv2.ResourceMetricSourceType && metric.Resource != nil && metric.Resource.Name == corev1.ResourceCPU)
		}
		if !onCPU {
			problems = append(problems, fmt.Sprintf("%s: does not scale on CPU", id))
		}
	}
	return problems
}

func checkServices(idx *index) (problems []string) {
	for _, svc := range idx.services {
		id := fmt.Sprintf("Service %s/%s", svc.Namespace, svc.Name)
		if len(svc.Spec.Selector) == 0 {
			problems = append(problems, fmt.Sprintf("%s: no selector", id))
			continue
		}
		var backends []*appsv1.Deployment
		for _, d := range idx.deployments {
			if d.Namespace == svc.Namespace && labels.SelectorFromSet(svc.Spec.Selector).Matches(labels.Set(d.Spec.Template.Labels)) {
				backends = append(backends, d)
			}
		}
		if len(backends) == 0 {
			problems = append(problems, fmt.Sprintf("%s: its selector matches no Deployment's pods", id))
		}
		for _, port := range svc.Spec.Ports {
			target := port.TargetPort
			if target.Type == intstr.Int && target.IntVal == 0 {
				target = intstr.FromInt32(port.Port)
			}
			for _, d := range backends {
				served := false
				for i := range d.Spec.Template.Spec.Containers {
					served = served || hasPort(&d.Spec.Template.Spec.Containers[i], target)
				}
				if !served {
					problems = append(problems, fmt.Sprintf("%s: targetPort %s is no port of Deployment %s", id, target.String(), d.Name))
				}
			}
		}
	}
	return problems
}

// checkSelectors: a budget or a policy that selects nothing is almost always a typo in a label.
func checkSelectors(idx *index) (problems []string) {
	matchesSome := func(namespace string, selector *metav1.LabelSelector) bool {
		for _, d := range idx.deployments {
			if d.Namespace == namespace && selects(selector, d.Spec.Template.Labels) {
				return true
			}
		}
		return false
	}
	for _, pdb := range idx.pdbs {
		if !matchesSome(pdb.Namespace, pdb.Spec.Selector) {
			problems = append(problems, fmt.Sprintf("PodDisruptionBudget %s/%s: selects no Deployment's pods", pdb.Namespace, pdb.Name))
		}
	}
	for _, policy := range idx.policies {
		selector := policy.Spec.PodSelector
		if len(selector.MatchLabels) == 0 && len(selector.MatchExpressions) == 0 {
			continue // every pod of the namespace, on purpose
		}
		if !matchesSome(policy.Namespace, &selector) {
			problems = append(problems, fmt.Sprintf("NetworkPolicy %s/%s: its podSelector selects no Deployment's pods", policy.Namespace, policy.Name))
		}
	}
	return problems
}

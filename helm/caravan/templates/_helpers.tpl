{{/* Names and labels */}}
{{- define "caravan.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "caravan.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "caravan.selectorLabels" -}}
app.kubernetes.io/name: {{ include "caravan.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "caravan.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "caravan.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: caravan
{{- end -}}

{{- define "caravan.serviceAccountName" -}}
{{- if include "caravan.createServiceAccount" . -}}
{{- default (include "caravan.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The chart creates the ServiceAccount when asked, and always for engine discovery (its Role binds to it). */}}
{{- define "caravan.createServiceAccount" -}}
{{- if or .Values.serviceAccount.create (include "caravan.discoveryEnabled" .) -}}true{{- end -}}
{{- end -}}

{{/* Engine discovery is on when asked, and whenever the chart runs engines itself (engineFleet). */}}
{{- define "caravan.discoveryEnabled" -}}
{{- if or .Values.engineDiscovery.enabled .Values.engineFleet.vllm .Values.engineFleet.simulator.enabled -}}true{{- end -}}
{{- end -}}

{{/* Labels and annotations every engine pod of the chart carries: what discovery selects and reads. */}}
{{- define "caravan.enginePodLabels" -}}
caravan.dev/engine: "true"
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/name: {{ .kind }}
app.kubernetes.io/component: engine-{{ .name }}
{{- end -}}

{{/* The namespace engine discovery watches. */}}
{{- define "caravan.discoveryNamespace" -}}
{{- default .Release.Namespace .Values.engineDiscovery.namespace -}}
{{- end -}}

{{/*
Broker mode: "embedded" or "external". Empty broker.mode picks external when more than one
replica can run (replicaCount > 1, or autoscaling with maxReplicas > 1), embedded otherwise.
*/}}
{{- define "caravan.brokerMode" -}}
{{- $mode := .Values.broker.mode | default "" | lower -}}
{{- if eq $mode "" -}}
{{- if include "caravan.multiReplica" . -}}external{{- else -}}embedded{{- end -}}
{{- else -}}
{{- $mode -}}
{{- end -}}
{{- end -}}

{{/* More than one gateway pod can run: replicaCount > 1, or an HPA that may scale past one. */}}
{{- define "caravan.multiReplica" -}}
{{- if or (gt (int .Values.replicaCount) 1) (and .Values.autoscaling.enabled (gt (int .Values.autoscaling.maxReplicas) 1)) -}}true{{- end -}}
{{- end -}}

{{/* Checks that make a wrong install fail at render time instead of splitting queues at run time. */}}
{{- define "caravan.validate" -}}
{{- $mode := include "caravan.brokerMode" . -}}
{{- if not (has $mode (list "embedded" "external" "statefulset")) -}}
{{- fail (printf "broker.mode must be \"\", \"embedded\", \"statefulset\" or \"external\", not %q" .Values.broker.mode) -}}
{{- end -}}
{{- if and (eq $mode "embedded") (include "caravan.multiReplica" .) -}}
{{- $scale := ternary (printf "autoscaling.maxReplicas=%d" (int .Values.autoscaling.maxReplicas)) (printf "replicaCount=%d" (int .Values.replicaCount)) (and .Values.autoscaling.enabled (gt (int .Values.autoscaling.maxReplicas) 1)) -}}
{{- fail (printf "broker.mode=embedded is single-replica only: it runs a separate broker inside every gateway pod, so with %s agents' queues would be split across pods. Either run one replica (replicaCount=1, autoscaling.enabled=false), or use one external Artemis broker or cluster for all replicas: broker.mode=external (the gateway then connects with spring.artemis.mode=native) and broker.external.url=tcp://<broker-host>:61616, credentials in broker.external.existingSecret (or broker.external.user/password)." $scale) -}}
{{- end -}}
{{- if and (eq $mode "external") (not .Values.broker.external.url) -}}
{{- fail "broker.mode=external (the default when replicaCount > 1 or autoscaling is enabled) needs broker.external.url, e.g. tcp://artemis.messaging.svc:61616" -}}
{{- end -}}
{{- if and .Values.autoscaling.enabled (lt (int .Values.autoscaling.maxReplicas) (int .Values.autoscaling.minReplicas)) -}}
{{- fail (printf "autoscaling.maxReplicas (%d) must be at least autoscaling.minReplicas (%d)" (int .Values.autoscaling.maxReplicas) (int .Values.autoscaling.minReplicas)) -}}
{{- end -}}
{{- if and (or .Values.broker.embedded.jaas.domain .Values.broker.embedded.jaas.secretName) (ne $mode "embedded") -}}
{{- fail (printf "broker.embedded.jaas sets the embedded broker's logins, but broker.mode is %q: configure JAAS (LDAP) on that broker itself" $mode) -}}
{{- end -}}
{{- if and .Values.broker.embedded.jaas.secretName (not .Values.broker.embedded.jaas.domain) -}}
{{- fail "broker.embedded.jaas.secretName needs broker.embedded.jaas.domain: the entry of the login configuration to use" -}}
{{- end -}}
{{- if and .Values.tls.broker.secretName (ne $mode "embedded") -}}
{{- fail (printf "tls.broker.secretName secures the embedded broker's acceptor, but broker.mode is %q: the gateway then has no acceptor of its own (TLS of a statefulset or external broker is that broker's configuration)" $mode) -}}
{{- end -}}
{{- if and .Values.tls.management.secretName (eq .Values.tls.management.clientAuth "need") -}}
{{- fail "tls.management.clientAuth=need would refuse the kubelet's liveness and startup probes (they present no certificate), so the pod would never start: use want (certificates checked when given) or keep mutual TLS on the API port (tls.api.clientAuth)" -}}
{{- end -}}
{{- if eq (int .Values.management.port) 8080 -}}
{{- fail "management.port must not be 8080: the API listens there (server.port)" -}}
{{- end -}}
{{- $ids := dict -}}
{{- range $i, $e := .Values.engines -}}
{{- if not $e.url -}}
{{- fail (printf "engines[%d] has no url" $i) -}}
{{- end -}}
{{- if not $e.id -}}
{{- fail (printf "engines[%d] (%s) has no id: give every engine a stable id, replicas place workflows by hashing engine ids" $i $e.url) -}}
{{- end -}}
{{- if hasKey $ids (toString $e.id) -}}
{{- fail (printf "engines[%d]: duplicate engine id %q" $i (toString $e.id)) -}}
{{- end -}}
{{- $_ := set $ids (toString $e.id) true -}}
{{- end -}}
{{- end -}}

{{/* Seconds as a number become a Spring duration ("3600s"); strings ("1h") pass through. */}}
{{- define "caravan.duration" -}}
{{- if kindIs "string" . -}}{{ . }}{{- else -}}{{ printf "%ds" (int64 .) }}{{- end -}}
{{- end -}}

{{- define "caravan.brokerSecretName" -}}
{{- $b := include "caravan.brokerBlock" . | fromJson -}}
{{- default (printf "%s-broker" (include "caravan.fullname" .)) $b.existingSecret -}}
{{- end -}}

{{/* The values block of the broker in use: broker.external, broker.statefulset or broker.embedded (as JSON). */}}
{{- define "caravan.brokerBlock" -}}
{{- $mode := include "caravan.brokerMode" . -}}
{{- if eq $mode "external" -}}{{ toJson .Values.broker.external }}
{{- else if eq $mode "statefulset" -}}{{ toJson .Values.broker.statefulset }}
{{- else -}}{{ toJson .Values.broker.embedded }}
{{- end -}}
{{- end -}}

{{/* The gateway connects to a broker outside its pod (spring.artemis.mode=native). */}}
{{- define "caravan.brokerNative" -}}
{{- if has (include "caravan.brokerMode" .) (list "external" "statefulset") -}}true{{- end -}}
{{- end -}}

{{/* The broker pod's labels: not the gateway's selector labels, so no gateway Service or PDB selects it. */}}
{{- define "caravan.artemisSelectorLabels" -}}
app.kubernetes.io/name: artemis
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: broker
{{- end -}}

{{/* The Artemis StatefulSet's name (broker.mode=statefulset); also its headless Service's. */}}
{{- define "caravan.artemisName" -}}
{{- printf "%s-artemis" (include "caravan.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Whether broker credentials come from a Secret: always for the external broker; for the embedded
one only when broker.embedded.password or existingSecret is set (else the jar's defaults apply).
*/}}
{{- define "caravan.brokerCredentials" -}}
{{- if include "caravan.brokerNative" . -}}true
{{- else if or .Values.broker.embedded.password .Values.broker.embedded.existingSecret -}}true
{{- end -}}
{{- end -}}

{{- define "caravan.routesConfigMapName" -}}
{{- default (printf "%s-routes" (include "caravan.fullname" .)) .Values.routes.existingConfigMap -}}
{{- end -}}

{{/* The route files the chart ships: routes/ of the repository (files/routes) plus routes.files. */}}
{{- define "caravan.routeFiles" -}}
{{- $files := dict -}}
{{- $mq := include "caravan.messageQueue" . | fromJson -}}
{{- range $path, $_ := .Files.Glob "files/routes/*.yaml" -}}
{{- /* messageQueue.enabled=false: no messaging endpoints (the seed plan's switch). */ -}}
{{- if or $mq.enabled (ne (base $path) "messages.camel.yaml") -}}
{{- $_ := set $files (base $path) ($.Files.Get $path) -}}
{{- end -}}
{{- end -}}
{{- range $name, $text := .Values.routes.files -}}
{{- $_ := set $files $name $text -}}
{{- end -}}
{{- toYaml $files -}}
{{- end -}}

{{/* messageQueue.{enabled,maxQueueSize}: router.workflowSupport.messageQueue (the seed plan's place) over messageQueue. As JSON. */}}
{{- define "caravan.messageQueue" -}}
{{- $seed := (.Values.router.workflowSupport.messageQueue | default dict) -}}
{{- $enabled := .Values.messageQueue.enabled -}}
{{- if hasKey $seed "enabled" }}{{ $enabled = $seed.enabled }}{{ end -}}
{{- if kindIs "invalid" $enabled }}{{ $enabled = true }}{{ end -}}
{{- $size := .Values.messageQueue.maxQueueSize -}}
{{- if hasKey $seed "maxQueueSize" }}{{ $size = $seed.maxQueueSize }}{{ end -}}
{{- if and (not (kindIs "invalid" $size)) (le (int64 $size) 0) -}}
{{- fail (printf "messageQueue.maxQueueSize must be a positive number of messages, not %v (leave it null for the byte bound only)" $size) -}}
{{- end -}}
{{- dict "enabled" $enabled "maxQueueSize" $size | toJson -}}
{{- end -}}

{{/* The Secret holding the API keys (empty: the API runs without keys, apiKeys.allowAnonymous). */}}
{{- define "caravan.apiKeysSecretName" -}}
{{- $k := .Values.apiKeys -}}
{{- if $k.existingSecret -}}{{ $k.existingSecret }}
{{- else if or $k.keys $k.adminKeys -}}{{ include "caravan.fullname" . }}-api-keys
{{- end -}}
{{- end -}}

{{/* The Secret holding the management login: existingSecret, or the chart's from management.auth.password;
     empty: none, the gateway generates a password and logs it. Refused where that cannot work: several
     replicas (each would generate its own) or a ServiceMonitor that must send it. */}}
{{- define "caravan.managementSecretName" -}}
{{- $a := .Values.management.auth -}}
{{- if $a.existingSecret }}{{ $a.existingSecret }}
{{- else if $a.password }}{{ include "caravan.fullname" . }}-management
{{- else if or (include "caravan.multiReplica" .) (and $a.protectPrometheus .Values.metrics.serviceMonitor.enabled) -}}
{{- fail (printf "management.auth.password or management.auth.existingSecret is required %s: without one each gateway generates its own management password" (ternary "with more than one replica" "for the ServiceMonitor to scrape a protected Prometheus (management.auth.protectPrometheus)" (not (empty (include "caravan.multiReplica" .))))) -}}
{{- end -}}
{{- end -}}

{{/* The application.yaml the gateway reads on top of the one in the jar. */}}
{{- define "caravan.applicationConfig" -}}
{{- $mode := include "caravan.brokerMode" . -}}
{{- $v := .Values -}}
{{- $engines := list -}}
{{- range $i, $e := $v.engines -}}
{{- $entry := dict "id" (toString $e.id) "url" $e.url -}}
{{- with $e.models }}{{ $_ := set $entry "models" . }}{{ end -}}
{{- with $e.labels }}{{ $_ := set $entry "labels" . }}{{ end -}}
{{- if $e.priorityScheduling }}{{ $_ := set $entry "priority-scheduling" true }}{{ end -}}
{{- with $e.kvCacheTokens }}{{ $_ := set $entry "kv-cache-tokens" (int64 .) }}{{ end -}}
{{- if $e.apiKeySecret }}{{ $_ := set $entry "api-key" (printf "${CARAVAN_ENGINE_%d_API_KEY}" $i) }}{{ end -}}
{{- $engines = append $engines $entry -}}
{{- end -}}
{{- $wf := $v.router.workflowSupport -}}
{{- $wfRouting := $wf.routing | default dict -}}
{{- $workflowSupport := dict "enabled" $wf.enabled "max-workflows" (int $wf.maxWorkflows) "routing" (dict "strategy" $wfRouting.strategy) -}}
{{- if not (kindIs "invalid" $wf.ttl) }}{{ $_ := set $workflowSupport "ttl" (include "caravan.duration" $wf.ttl) }}{{ end -}}
{{- if not (kindIs "invalid" $wfRouting.batchingPreference) }}{{ $_ := set $workflowSupport "batching-preference" $wfRouting.batchingPreference }}{{ end -}}
{{- if not (kindIs "invalid" $wfRouting.cacheAffinityWeight) }}{{ $_ := set $workflowSupport "cache-affinity-weight" $wfRouting.cacheAffinityWeight }}{{ end -}}
{{- $routingDefaults := dict "plain-policy" $v.router.plainPolicy -}}
{{- /* Replicas count only the workflows they saw: balanced first homes would differ between them. */ -}}
{{- if include "caravan.multiReplica" . }}{{ $_ := set $routingDefaults "balance-homes" false }}{{ end -}}
{{- $routing := mustMergeOverwrite $routingDefaults (deepCopy ($v.router.routing | default dict)) -}}
{{- $messaging := dict "max-queue-bytes" (int64 $v.messageQueue.maxQueueBytes) "max-payload-bytes" (int64 $v.messageQueue.maxPayloadBytes) -}}
{{- $mq := include "caravan.messageQueue" . | fromJson -}}
{{- if not (kindIs "invalid" $mq.maxQueueSize) }}{{ $_ := set $messaging "max-queue-messages" (int64 $mq.maxQueueSize) }}{{ end -}}
{{- $artemis := dict -}}
{{- if eq $mode "statefulset" -}}
{{- /* reconnectAttempts=-1: a restarting broker pod is waited for rather than given up on */ -}}
{{- $url := printf "tcp://%s-0.%s.%s.svc:61616?reconnectAttempts=-1" (include "caravan.artemisName" .) (include "caravan.artemisName" .) .Release.Namespace -}}
{{- $artemis = dict "mode" "native" "broker-url" $url "user" "${CARAVAN_BROKER_USER}" "password" "${CARAVAN_BROKER_PASSWORD}" -}}
{{- $_ := set $messaging "acceptor" (dict "enabled" false) -}}
{{- else if eq $mode "external" -}}
{{- $artemis = dict "mode" "native" "broker-url" $v.broker.external.url "user" "${CARAVAN_BROKER_USER}" "password" "${CARAVAN_BROKER_PASSWORD:}" -}}
{{- $_ := set $messaging "acceptor" (dict "enabled" false) -}}
{{- else -}}
{{- $artemis = dict "mode" "embedded" "embedded" (dict "persistent" true "data-directory" $v.broker.embedded.dataDir) -}}
{{- $_ := set $messaging "data-dir" $v.broker.embedded.dataDir -}}
{{- if include "caravan.brokerCredentials" . -}}
{{- $_ := set $messaging "user" "${CARAVAN_BROKER_USER}" -}}
{{- $_ := set $messaging "password" "${CARAVAN_BROKER_PASSWORD}" -}}
{{- end -}}
{{- $acceptor := dict "enabled" true "host" "0.0.0.0" "port" (int $v.broker.embedded.port) -}}
{{- with $v.tls.broker -}}
{{- if .secretName -}}
{{- $store := dict "enabled" true "key-store" (printf "/etc/caravan-tls/broker/%s" .keyStoreKey) "key-store-type" .keyStoreType "key-store-password" "${CARAVAN_BROKER_TLS_PASSWORD}" -}}
{{- if .needClientAuth -}}
{{- $_ := set $store "need-client-auth" true -}}
{{- $_ := set $store "trust-store" (printf "/etc/caravan-tls/broker/%s" .trustStoreKey) -}}
{{- $_ := set $store "trust-store-password" "${CARAVAN_BROKER_TLS_PASSWORD}" -}}
{{- end -}}
{{- $_ := set $acceptor "tls" $store -}}
{{- end -}}
{{- end -}}
{{- $_ := set $messaging "acceptor" $acceptor -}}
{{- end -}}
{{- $exposure := list "health" "info" "prometheus" "metrics" "camelroutes" -}}
{{- if $v.management.hawtio.enabled }}{{ $exposure = concat $exposure (list "hawtio" "jolokia") }}{{ end -}}
{{- $caravan := dict "routes-dir" $v.routes.dir "engines" $engines "workflow-support" $workflowSupport "routing" $routing "messaging" $messaging "metrics" (dict "per-workflow" $v.metrics.perWorkflow) -}}
{{- with $v.engineClient }}{{ $_ := set $caravan "engine-client" . }}{{ end -}}
{{- if include "caravan.discoveryEnabled" . -}}
{{- $d := $v.engineDiscovery -}}
{{- $k8s := dict "enabled" true "namespace" (include "caravan.discoveryNamespace" .) "label-selector" $d.labelSelector "port" (toString $d.port) "scheme" $d.scheme "model-key" $d.modelKey "resync-period" (include "caravan.duration" $d.resyncPeriod) -}}
{{- if $d.apiKeySecret }}{{ $_ := set $k8s "api-key" "${CARAVAN_ENGINE_DISCOVERY_API_KEY}" }}{{ end -}}
{{- $_ := set $caravan "engine-discovery" (dict "kubernetes" $k8s) -}}
{{- end -}}
{{- if and $v.apiKeys.allowAnonymous (not (include "caravan.apiKeysSecretName" .)) }}{{ $_ := set $caravan "security" (dict "allow-anonymous" true) }}{{ end -}}
{{- $cfg := dict
  "server" (dict "port" 8080 "address" "0.0.0.0")
  "spring" (dict "artemis" $artemis "lifecycle" (dict "timeout-per-shutdown-phase" $v.shutdownTimeout))
  "management" (dict
      "server" (dict "port" (int $v.management.port))
      "endpoints" (dict "web" (dict "exposure" (dict "include" (join "," $exposure))))
      "endpoint" (dict "health" (dict "probes" (dict "enabled" true) "show-details" "always")))
  "hawtio" (dict "authenticationEnabled" $v.management.hawtio.authenticationEnabled)
  "caravan" $caravan -}}
{{- /* PEM files from kubernetes.io/tls Secrets, as Spring SSL bundles the two HTTP servers name */ -}}
{{- $bundles := dict -}}
{{- range $port := list "api" "management" -}}
{{- $t := index $v.tls $port -}}
{{- if $t.secretName -}}
{{- $dir := printf "file:/etc/caravan-tls/%s/" $port -}}
{{- $bundle := dict "keystore" (dict "certificate" (print $dir "tls.crt") "private-key" (print $dir "tls.key")) -}}
{{- $ssl := dict "bundle" (printf "caravan-%s" $port) -}}
{{- if and $t.clientAuth (ne $t.clientAuth "none") -}}
{{- $_ := set $bundle "truststore" (dict "certificate" (print $dir "ca.crt")) -}}
{{- $_ := set $ssl "client-auth" $t.clientAuth -}}
{{- end -}}
{{- $_ := set $bundles (printf "caravan-%s" $port) $bundle -}}
{{- $_ := set (ternary $cfg.server $cfg.management.server (eq $port "api")) "ssl" $ssl -}}
{{- end -}}
{{- end -}}
{{- if $bundles -}}
{{- $_ := set $cfg.spring "ssl" (dict "bundle" (dict "pem" $bundles)) -}}
{{- end -}}
{{- toYaml (mustMergeOverwrite $cfg (deepCopy ($v.extraConfig | default dict))) -}}
{{- end -}}

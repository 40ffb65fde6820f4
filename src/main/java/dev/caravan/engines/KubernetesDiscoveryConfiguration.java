package dev.caravan.engines;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Engine discovery on Kubernetes, only with {@code caravan.engine-discovery.kubernetes.enabled=true}. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "caravan.engine-discovery.kubernetes", name = "enabled", havingValue = "true")
public class KubernetesDiscoveryConfiguration {

    /** In a pod: the service account's token and CA, and its namespace; else KUBECONFIG or ~/.kube/config. */
    @Bean(destroyMethod = "close")
    KubernetesClient engineDiscoveryKubernetesClient(KubernetesDiscoveryProperties properties) {
        Config config = Config.autoConfigure(null);
        String url = properties.getApiServerUrl();
        if (url != null && !url.isBlank()) {
            config = new ConfigBuilder(config).withMasterUrl(url).build();
        }
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    @Bean
    KubernetesEngineDiscovery kubernetesEngineDiscovery(KubernetesClient engineDiscoveryKubernetesClient,
            KubernetesDiscoveryProperties properties, EngineRegistry registry) {
        return new KubernetesEngineDiscovery(engineDiscoveryKubernetesClient, properties, registry,
                properties.getInitialSyncTimeout());
    }
}

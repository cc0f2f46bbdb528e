// The built-in datasets, one line each, sorted by name.
#include "nascpp/data/cifar.h"
#include "nascpp/data/fashion_mnist.h"
#include "nascpp/registries.h"

namespace nascpp {

void register_builtin_datasets(DatasetRegistry& registry) {
  using Ptr = std::shared_ptr<const Dataset>;
  registry.add(
      "cifar10", "CIFAR-10 binary version (users bring the files; key 'root')",
      [](ConfigNode& cfg) -> Ptr { return Cifar::load_cifar10(cfg.require<std::string>("root")); });
  registry.add("cifar100", "CIFAR-100 binary version, fine labels (key 'root')",
               [](ConfigNode& cfg) -> Ptr {
                 return Cifar::load_cifar100(cfg.require<std::string>("root"));
               });
  registry.add("fashion_mnist", "Fashion-MNIST, 60k/10k 1x28x28 images, 10 classes (IDX files)",
               [](ConfigNode& cfg) -> Ptr {
                 return FashionMnist::load(cfg.get<std::string>("root", kFashionMnistDefaultRoot));
               });
}

}  // namespace nascpp

#pragma once
// The built-in zero-cost proxies (src/zero_cost/proxies.cpp); the registry's
// builtin list (src/zero_cost/builtin.cpp) names them.

#include "nascpp/zero_cost.h"

namespace nascpp::zero_cost {

double epe_nas(const ProxyInput& in);
double fisher(const ProxyInput& in);
double flops(const ProxyInput& in);
double grad_norm(const ProxyInput& in);
double grasp(const ProxyInput& in);
double jacov(const ProxyInput& in);
double l2_norm(const ProxyInput& in);
double nwot(const ProxyInput& in);
double params(const ProxyInput& in);
double plain(const ProxyInput& in);
double snip(const ProxyInput& in);
double synflow(const ProxyInput& in);
double zen(const ProxyInput& in);

}  // namespace nascpp::zero_cost

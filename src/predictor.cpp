#include "nascpp/predictor.h"

#include "nascpp/core/error.h"

namespace nascpp {

void FeatureMatrix::append(const std::vector<float>& values) {
  if (rows == 0 && cols == 0) cols = values.size();
  NASCPP_CHECK(values.size() == cols, "feature row of {} values appended to a matrix of {} columns",
               values.size(), cols);
  data.insert(data.end(), values.begin(), values.end());
  ++rows;
}

}  // namespace nascpp
